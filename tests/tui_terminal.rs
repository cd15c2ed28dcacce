//! Terminal hygiene that can be checked without a terminal: the exact sequences that take the
//! terminal over and give it back, and a panic hook that restores before it reports.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use authwalk::tui::terminal::{
    install_panic_hook_with, write_enter, write_mouse_capture, write_restore,
};

#[test]
fn restore_undoes_everything_enter_does() {
    let mut enter = Vec::new();
    write_enter(&mut enter).expect("writes");
    let mut restore = Vec::new();
    write_restore(&mut restore).expect("writes");
    let enter = String::from_utf8(enter).expect("ASCII");
    let restore = String::from_utf8(restore).expect("ASCII");
    for on in ["\x1b[?1049h", "\x1b[?1000h", "\x1b[?1006h", "\x1b[?2004h"] {
        assert!(enter.contains(on), "enter turns on {on:?}: {enter:?}");
        let off = on.replace('h', "l");
        assert!(
            restore.contains(&off),
            "restore turns off {off:?}: {restore:?}"
        );
    }
    assert!(restore.contains("\x1b[?25h"), "the cursor shows again");
    let mut mouse = Vec::new();
    write_mouse_capture(&mut mouse, false).expect("writes");
    assert!(
        String::from_utf8(mouse)
            .expect("ASCII")
            .contains("\x1b[?1000l")
    );
}

#[test]
fn the_panic_hook_restores_first_then_reports() {
    let order = Arc::new(Mutex::new(Vec::new()));
    let calls = Arc::new(AtomicUsize::new(0));
    let (o, c) = (Arc::clone(&order), Arc::clone(&calls));
    std::panic::set_hook(Box::new(move |_| {
        o.lock().expect("lock").push("report");
        c.fetch_add(1, Ordering::SeqCst);
    }));
    let o = Arc::clone(&order);
    install_panic_hook_with(move || o.lock().expect("lock").push("restore"));
    let result = std::thread::spawn(|| panic!("boom")).join();
    assert!(result.is_err());
    assert_eq!(*order.lock().expect("lock"), ["restore", "report"]);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    drop(std::panic::take_hook());
}
