//! The HAR and URL-list reader with triage, and `replay`'s reader: a capture, a transcript or a
//! walk document read back, checked, masked and made ready to show.

#![no_main]

use authwalk::present::Policy;
use authwalk::replay::Recording;
use authwalk::transcript::har;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(entries) = har::parse_capture(data) {
        let triage = har::triage(&entries, None);
        let _ = triage.has_errors();
    }
    if let Ok(recording) = Recording::read(data, None) {
        for reveal in [false, true] {
            let walk = recording.walk(Policy { reveal });
            let _ = format!("{walk:?}");
        }
    }
});
