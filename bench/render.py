"""Writes bench/REPORT.md from what bench/report.sh collected in its work folder:
machine.env, walk_*.json (bench/pairs.py), and the benchmarks' output (rsa.txt,
openssl.*.txt, flows.*.txt, tui.txt, soak.txt, workbench.txt), whose `FIGURE <name> <value> <unit>` lines
carry the figures.

    python3 render.py WORKDIR > REPORT.md
"""

import json
import re
import statistics
import sys
from pathlib import Path

WORK = Path(sys.argv[1])


def figures(path):
    """{name: (value, unit)} from the FIGURE lines of one output file."""
    out = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("FIGURE "):
            _, name, value, *unit = line.split()
            out[name] = (float(value), " ".join(unit))
    return out


def median_of(paths, name):
    values = [figures(p)[name][0] for p in paths]
    return statistics.median(values), min(values), max(values)


def machine():
    env = {}
    for line in (WORK / "machine.env").read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        env[key] = value
    return env


def ms(seconds):
    return f"{seconds * 1000:.0f} ms"


def med(values):
    return statistics.median(values)


def spread(values, fmt):
    return f"{fmt(med(values))} ({fmt(min(values))}–{fmt(max(values))})"


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def walks(out):
    out.append("## 1. A whole Alipay login: authwalk and the official SDKs\n")
    out.append(
        "One process per login, against the same running `authwalk sandbox` on 127.0.0.1: approve "
        "the consent page (one POST), `alipay.system.oauth.token`, `alipay.user.info.share`, every "
        "request RSA2-signed and every response's signature verified, by authwalk's own code or by "
        "the SDK's. The Python and Node scripts are `bench/sdk/alipay_walk.py` and "
        "`bench/sdk/alipay_walk.mjs`; `authwalk run` also prints the whole walk as JSON. The two "
        "commands of a pairing run in turn (A B A B …) after one warm-up each; wall time is the "
        "process's from start to exit, CPU its user + system time and RSS its peak, all from "
        "wait4(2); the ratio is taken pair by pair (`bench/pairs.py`). Median (min–max).\n"
    )
    rows = [
        ("walk_python.json", "`authwalk run alipay-web --json --sandbox sandbox.json`", "alipay-sdk-python (Python)"),
        ("walk_node.json", "`authwalk run alipay-web --json --sandbox sandbox.json`", "alipay-sdk (Node)"),
        (
            "walk_embedded.json",
            "`authwalk run alipay-web --json` (starts its own sandbox, keys cached)",
            "`authwalk run … --sandbox` (the running sandbox)",
        ),
        (
            "walk_cert.json",
            "`authwalk run … --sandbox --app 2021000000000005` (certificate mode)",
            "`authwalk run … --sandbox` (public key, OpenAPI v2)",
        ),
        (
            "walk_v3.json",
            "`authwalk run … --sandbox --api v3` (OpenAPI v3)",
            "`authwalk run … --sandbox` (public key, OpenAPI v2)",
        ),
    ]
    out.append("| A | B | pairs | A wall | B wall | A/B wall | A CPU | B CPU | A peak RSS | B peak RSS |")
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    ratios = {}
    for file, a_name, b_name in rows:
        data = json.loads((WORK / file).read_text(encoding="utf-8"))
        a, b = data["a"], data["b"]
        ratio = data["ratio_wall"]
        ratios[file] = med(ratio)
        out.append(
            f"| {a_name} | {b_name} | {data['runs']} | {spread(a['wall'], ms)} | {spread(b['wall'], ms)} "
            f"| {med(ratio):.3f} ({min(ratio):.3f}–{max(ratio):.3f}) | {ms(med(a['cpu']))} | {ms(med(b['cpu']))} "
            f"| {mib(med(a['rss_kib']))} | {mib(med(b['rss_kib']))} |"
        )
    out.append("")
    start = json.loads((WORK / "start_sdks.json").read_text(encoding="utf-8"))
    out.append(
        f"authwalk's whole walk takes {ratios['walk_python.json']:.3f}× the Python SDK's time and "
        f"{ratios['walk_node.json']:.3f}× the Node SDK's (medians of the pair-by-pair ratios). "
        "Starting the interpreter and importing the SDK, with no request, takes "
        f"{ms(med(start['a']['wall']))} for Python and {ms(med(start['b']['wall']))} for Node "
        f"(median of {start['runs']} runs each).\n"
    )
    out.append(
        f"A certificate-mode walk takes {ratios['walk_cert.json']:.3f}× the time of the same walk "
        f"in public-key mode (reading and hashing three certificate files, two more parameters "
        f"signed), and an OpenAPI v3 walk {ratios['walk_v3.json']:.3f}× the v2 walk (header "
        "signatures instead of a signed JSON node).\n"
    )


def rsa(out, env):
    out.append("## 2. RSA-2048 SHA-256 PKCS#1 v1.5 signatures per second\n")
    out.append(
        "One thread. authwalk's `keys::PrivateKey::sign` / `PublicKey::verify` (what the client and "
        "the sandbox use) and the `rsa` crate called directly, on a real canonical string "
        f"({figures(WORK / 'rsa.txt')['rsa.message'][0]:.0f} bytes) with the published test key "
        "(`benches/rsa_speed.rs`: 5 windows of 1 s for each, taking turns; the median); "
        f"`openssl speed -seconds 3 rsa2048` ({env.get('openssl', '?')}), which signs a 36-byte "
        "digest without hashing, median of 3 runs. authwalk signs with the `rsa` crate, so the "
        "first two rows differ only by noise and the thin layer between.\n"
    )
    f = figures(WORK / "rsa.txt")
    signs, verifies = [], []
    for p in sorted(WORK.glob("openssl.*.txt")):
        for line in p.read_text(encoding="utf-8").splitlines():
            m = re.match(r"rsa\s+2048 bits\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)", line)
            if m:
                signs.append(float(m.group(1)))
                verifies.append(float(m.group(2)))
    ossl_sign, ossl_verify = med(signs), med(verifies)
    out.append("| implementation | sign/s | verify/s | sign vs OpenSSL | verify vs OpenSSL |")
    out.append("| --- | --- | --- | --- | --- |")

    def cell(name):
        if name is None:
            return "—", None
        median = f[f"rsa.{name}"][0]
        return f"{median:,.0f} ({f[f'rsa.{name}.min'][0]:,.0f}–{f[f'rsa.{name}.max'][0]:,.0f})", median

    def row(label, sign, verify):
        (sign_text, sign_value), (verify_text, verify_value) = sign, verify
        vr = f"{verify_value / ossl_verify:.2f}×" if verify_value else "—"
        out.append(f"| {label} | {sign_text} | {verify_text} | {sign_value / ossl_sign:.2f}× | {vr} |")

    row("authwalk (`keys::PrivateKey::sign`, `PublicKey::verify`)", cell("authwalk.sign"), cell("authwalk.verify"))
    row(
        "`rsa` crate directly (`pkcs1v15::SigningKey<Sha256>::sign`, `VerifyingKey::verify`), no blinding as authwalk",
        cell("crate.sign"),
        cell("crate.verify"),
    )
    row("`rsa` crate, `sign_with_rng` (blinded)", cell("crate.sign_blinded"), cell(None))
    row(
        f"`openssl speed rsa2048` ({env.get('openssl', '?')})",
        (f"{ossl_sign:,.0f} ({min(signs):,.0f}–{max(signs):,.0f})", ossl_sign),
        (f"{ossl_verify:,.0f} ({min(verifies):,.0f}–{max(verifies):,.0f})", ossl_verify),
    )
    out.append("")
    out.append("Median (min–max).")
    out.append("")


def flows(out):
    out.append("## 3. Sandbox throughput against the RSA bound\n")
    out.append(
        "`benches/sandbox_flows.rs`: 32 clients walk full Alipay logins (approve → token → user "
        "info) against the in-process sandbox for 5 s; each flow costs 4 signatures and 4 "
        "verifications, client and sandbox sharing the process, so the bound is cores ÷ (4 × sign + "
        "4 × verify) with both times measured in the same run; the RSA-only rate runs those 8 "
        "operations on every core at once. Three runs, and their median.\n"
    )
    paths = sorted(WORK.glob("flows.*.txt"))
    out.append("| run | sign | verify | RSA bound | RSA-only on all cores | measured | measured / bound | measured / RSA-only |")
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for i, p in enumerate(paths, 1):
        f = figures(p)
        out.append(
            f"| {i} | {f['flows.sign'][0]:.0f} µs | {f['flows.verify'][0]:.1f} µs | {f['flows.bound'][0]:.1f} flows/s "
            f"| {f['flows.parallel_bound'][0]:.1f} flows/s | {f['flows.rate'][0]:.1f} flows/s "
            f"| {f['flows.rate'][0] / f['flows.bound'][0] * 100:.0f}% "
            f"| {f['flows.rate'][0] / f['flows.parallel_bound'][0] * 100:.0f}% |"
        )
    m = {k: median_of(paths, k)[0] for k in ["flows.sign", "flows.verify", "flows.bound", "flows.parallel_bound", "flows.rate"]}
    ratio = med([figures(p)["flows.rate"][0] / figures(p)["flows.bound"][0] for p in paths])
    ratio_par = med([figures(p)["flows.rate"][0] / figures(p)["flows.parallel_bound"][0] for p in paths])
    out.append(
        f"| **median** | {m['flows.sign']:.0f} µs | {m['flows.verify']:.1f} µs | {m['flows.bound']:.1f} flows/s "
        f"| {m['flows.parallel_bound']:.1f} flows/s | {m['flows.rate']:.1f} flows/s | {ratio * 100:.0f}% "
        f"| {ratio_par * 100:.0f}% |"
    )
    out.append("")
    out.append(
        "The bound multiplies a single thread's RSA rate by the cores, so it does not see other "
        "work on the machine; the RSA-only rate is what the cores gave to RSA at that moment, and "
        "other work lowers it along with the measured rate.\n"
    )
    out.append("")


TUI_ROWS = [
    ("launch.in_process", "launch → authorize URL drawn, in-process (120×40 `TestBackend`)", 100),
    ("launch.tmux", "launch → URL seen, real binary in tmux", 100),
    ("launch.tmux_alone", "the same for `sh -c 'echo …'` (tmux's own part)", None),
    ("launch.tmux_subtracted", "real binary, tmux's part subtracted pair by pair", 100),
    ("frame.5mb.pretty.top", "one frame, 5 MB JSON pretty, top", 16),
    ("frame.5mb.pretty.bottom", "one frame, 5 MB JSON pretty, bottom", 16),
    ("frame.5mb.raw_wrapped.top", "one frame, 5 MB JSON raw (one line), wrapped, top", 16),
    ("frame.5mb.raw_wrapped.bottom", "one frame, 5 MB JSON raw (one line), wrapped, bottom", 16),
    ("frame.5mb.raw_unwrapped.top", "one frame, 5 MB JSON raw, unwrapped, top", 16),
    ("frame.5mb.raw_unwrapped.bottom", "one frame, 5 MB JSON raw, unwrapped, bottom", 16),
    ("scroll.5mb.pretty.down", "5 MB pretty: `Down` then a frame", None),
    ("scroll.5mb.pretty.pagedown", "5 MB pretty: `PageDown` then a frame", None),
    ("scroll.5mb.raw_wrapped.down", "5 MB raw, wrapped: `Down` then a frame", None),
    ("scroll.5mb.raw_wrapped.pagedown", "5 MB raw, wrapped: `PageDown` then a frame", None),
    ("scroll.5mb.raw_unwrapped.down", "5 MB raw, unwrapped: `Down` then a frame", None),
    ("scroll.5mb.raw_unwrapped.pagedown", "5 MB raw, unwrapped: `PageDown` then a frame", None),
    ("frame.walk_screen", "the whole walk screen (Response tab), `Runtime::draw`", None),
    ("key_to_redraw", "key sent → next frame drawn, a 5 s slow token request in flight", 50),
    ("rss.tui_walk", "peak RSS, real binary, whole alipay-web walk in tmux", 40),
    ("rss.run", "peak RSS, `authwalk run alipay-web --json`", None),
    ("paste.2mb.popup", "a 2 MiB bracketed paste → frame drawn, paste popup (cut to 64 KiB)", 100),
    ("paste.2mb.search", "a 2 MiB bracketed paste → frame drawn, search prompt (cut to 64 KiB)", 100),
    ("paste.20kb.popup", "a 20 KiB bracketed paste → frame drawn, paste popup", None),
]


def tui(out):
    out.append("## 4. The inspector\n")
    out.append(
        "`cargo bench --bench tui` (see `bench/TUI.md` for what each figure includes); each "
        "figure is the median, min and max over its own runs in one run of the benchmark.\n"
    )
    f = figures(WORK / "tui.txt")
    out.append("| figure | goal | median | min | max | runs | goal met (median) |")
    out.append("| --- | --- | --- | --- | --- | --- | --- |")
    for key, label, goal in TUI_ROWS:
        name = f"tui.{key}.median"
        if name not in f:
            out.append(f"| {label} | | not measured | | | | |")
            continue
        unit = f[name][1]
        goal_text = f"≤ {goal} {'MB' if unit == 'MiB' else unit}" if goal else ""
        # A goal in MB is compared in MB (1 MiB = 1.048576 MB).
        value = f[name][0] * (1.048576 if unit == "MiB" else 1)
        met = ("yes" if value <= goal else "**no**") if goal else ""
        digits = 1 if unit == "MiB" or f[name][0] >= 10 else 2
        val = lambda k: f"{f[f'tui.{key}.{k}'][0]:.{digits}f} {unit}"
        out.append(
            f"| {label} | {goal_text} | {val('median')} | {val('min')} | {val('max')} | {f[f'tui.{key}.runs'][0]:.0f} | {met} |"
        )
    if "tui.index.pretty" in f:
        out.append("")
        out.append(
            f"Indexing a body once when it arrives: {f['tui.index.pretty'][0]:.1f} ms for the "
            f"{f['tui.index.pretty_size'][0]:.1f} MB pretty text ({f['tui.index.pretty_lines'][0]:,.0f} lines), "
            f"{f['tui.index.raw'][0]:.1f} ms for the 5 MB raw one."
        )
    out.append("")


def workbench(out):
    """Section 7 from workbench.txt (`cargo bench --bench workbench`), when it was run."""
    path = WORK / "workbench.txt"
    if not path.exists():
        return
    f = figures(path)
    g = lambda name: f[f"workbench.{name}"][0]
    out.append("## 7. The workbench: edit, resend, compare\n")
    out.append(
        "`cargo bench --bench workbench`; each time is the median, min and max over its own runs.\n"
    )
    out.append("| figure | goal | median | min | max | runs |")
    out.append("| --- | --- | --- | --- | --- | --- |")
    for key, label, goal in [
        ("edit_form_key", "key sent → next frame drawn, edit form open over a step whose response is 5 MB (120×40, `j`/`k`)", "≤ 50 ms"),
        ("resend", "one resend of user-info: re-signed, sent over loopback, answered, recorded", ""),
        ("walk_build_1", "building the walk model, user-info with 1 attempt", ""),
        ("walk_build_101", "building the walk model, user-info with 101 attempts", ""),
    ]:
        if f"workbench.{key}.median" not in f:
            continue
        out.append(
            f"| {label} | {goal} | {g(key + '.median'):.3f} ms | {g(key + '.min'):.3f} ms | "
            f"{g(key + '.max'):.3f} ms | {g(key + '.runs'):.0f} |"
        )
    out.append("")
    if "workbench.rss_after" in f:
        out.append(
            f"Memory after 100 resends of one step (alipay-web's user-info, re-signed each time, on the "
            f"embedded sandbox in the same process): resident set {g('rss_before'):.2f} MiB before, "
            f"{g('rss_after'):.2f} MiB after, {g('rss_per_attempt'):.1f} KiB per attempt. The attempts' "
            f"own bytes (URL, form body, answer) are {g('held_per_attempt'):.2f} KiB each; the rest of the "
            f"growth is not broken down here: it holds each attempt's decoded answer, findings and "
            f"verification, the sandbox's side (it runs in the same process) and the allocator's slack. "
            f"The walk's JSON document with 101 attempts is {g('json_after'):.1f} KiB.\n"
        )


def soak(out):
    out.append("## 5. Soak\n")
    out.append(
        "`cargo bench --bench soak` (`tests/soak` is its few-second version, run by `cargo test`), "
        "each part in a process of its own.\n"
    )
    f = figures(WORK / "soak.txt")
    g = lambda k: f[k][0]
    out.append(
        f"**Concurrent flows.** {g('soak.flows.clients'):.0f} clients walked full logins for "
        f"{g('soak.flows.seconds'):.1f} s against one in-process sandbox over loopback HTTP: Alipay "
        "(approve → token → user info, RSA2 on both sides, a refresh every fourth flow) and WeChat "
        "(approve → access_token → userinfo → refresh → auth) in turn. Then every code used was "
        "exchanged a second time.\n"
    )
    out.append("| figure | value |")
    out.append("| --- | --- |")
    rows = [
        ("flows done", f"{g('soak.flows.total'):,.0f} ({g('soak.flows.alipay'):,.0f} Alipay, {g('soak.flows.wechat'):,.0f} WeChat; {g('soak.flows.refreshes'):,.0f} with a refresh)"),
        ("flows per second", f"{g('soak.flows.rate'):.1f}"),
        ("unexpected errors", f"{g('soak.flows.errors'):.0f}"),
        ("codes issued twice", f"{g('soak.flows.duplicate_codes'):.0f}"),
        ("codes left unexchanged in the stores", f"{g('soak.flows.unexchanged_codes'):.0f}"),
        ("entries the stores hold afterwards (tokens, refresh tokens, used codes: they live hours to days)", f"{g('soak.flows.held'):,.0f}"),
        (
            "codes exchanged a second time / refused as the providers do",
            f"{g('soak.flows.codes_rechecked'):,.0f} / {g('soak.flows.codes_refused_again'):,.0f} "
            "(Alipay a signed `isv.code-invalid`, WeChat errcode 40163)",
        ),
        ("codes accepted twice", f"{g('soak.flows.codes_exchanged_twice'):.0f}"),
        ("RSS before / after the flows", f"{g('soak.flows.rss_before'):.1f} MiB / {g('soak.flows.rss_after'):.1f} MiB"),
    ]
    for k, v in rows:
        out.append(f"| {k} | {v} |")
    out.append("")
    out.append(
        "**Codes minted, expired, purged.** Codes minted into the sandbox's own store, then the "
        "sandbox clock moved past every deadline and the week expired entries are kept for, and "
        "one real approval over HTTP made the store sweep. In-process minting "
        "(`SandboxHandle::mint_alipay_codes`) takes the path an approval takes without the HTTP "
        f"round trip; over HTTP (`POST /__sandbox/alipay/auth-code`, 64 clients) the sandbox mints "
        f"{g('soak.http_mint.rate'):,.0f} codes/s, and one row does all of them that way. Each "
        "store keeps at most 100,000 entries by default (`SandboxConfig::max_held`): past it the "
        "entries closest to expiry are dropped, so 2,000,000 codes are held at once only with the "
        "cap raised; with the default cap the test is the cap itself, and rounds under it. RSS is "
        "the process's `VmRSS` (client and sandbox share it), read after each batch.\n"
    )
    out.append("| run | codes minted | held at most | held after the purge | RSS at the start | RSS after the first batch | RSS at the peak | RSS after the purge | minting | purging |")
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, what in [
        ("held", "cap raised above the count, in-process, batches of 250,000: all held at once"),
        ("held_http", "cap raised, minted over HTTP: all held at once"),
        ("capped", "default cap (100,000), minted straight in batches of 100,000"),
        ("batches", "default cap, rounds of 99,000, each expired and purged before the next"),
        ("batches_fixed_mmap", "the same rounds, glibc's mmap threshold fixed at 128 KiB (`GLIBC_TUNABLES`)"),
    ]:
        k = lambda x: g(f"soak.mint.{label}.{x}")
        out.append(
            f"| {what} | {k('codes'):,.0f} | {k('held_peak'):,.0f} | {k('held_after_purge'):,.0f} "
            f"| {k('rss_start'):.1f} MiB | {k('rss_first_batch'):.1f} MiB | {k('rss_peak'):.1f} MiB | {k('rss_after_purge'):.1f} MiB "
            f"| {k('mint_seconds'):.1f} s | {k('purge_seconds'):.2f} s |"
        )
    out.append("")
    def rounds(label):
        prefix = f"soak.mint.{label}.rss_after_round_"
        return [v for k, (v, _) in sorted(f.items()) if k.startswith(prefix)]

    b, fixed = rounds("batches"), rounds("batches_fixed_mmap")
    out.append(
        "A stored code owns no allocation (its 32 characters are inline, its app id and scope "
        "shared): the store's memory is its table, 88 bytes a slot, with between one and two slots a "
        "code as the table doubles; a purge shrinks the table, so one fill and one purge give the "
        "memory back. Rounds of fills and purges level off instead. RSS after each round's purge, "
        f"in MiB: {' '.join(f'{v:.1f}' for v in b)} ({len(b)} rounds; the last mints what is "
        "left). That is glibc's malloc, not the store: after the first purge it raises its mmap "
        "threshold to the largest table it freed, serves the next rounds' smaller tables from its "
        "heaps and keeps up to twice the threshold free per heap for reuse. With the threshold fixed "
        "(`GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072`) the same rounds give: "
        f"{' '.join(f'{v:.1f}' for v in fixed)}.\n"
    )
    out.append("")
    if "soak.trickle.clients" in f:
        out.append(
            f"**Trickled request heads.** {g('soak.trickle.tricklers'):.0f} connections, more than the "
            f"sandbox's {g('soak.trickle.slots'):.0f} slots, each sent a request head one byte every "
            "100–200 ms (activity enough for every silence timeout) and reconnected when closed "
            f"({g('soak.trickle.opened'):,.0f} connections in all), while fresh clients asked for a page "
            f"one after another for {g('soak.trickle.seconds'):.0f} s: {g('soak.trickle.served'):.0f} of "
            f"{g('soak.trickle.clients'):.0f} were served within 5 s, latency p50 "
            f"{g('soak.trickle.p50'):.1f} ms, p95 {g('soak.trickle.p95'):.1f} ms, max "
            f"{g('soak.trickle.max'):.1f} ms. A request must arrive whole within 10 s, and one still "
            "arriving after 0.5 s may be closed to make room; the worst waits are the 0.5 s before the "
            "newest trickles become closable.\n"
        )
        out.append("")


def main():
    env = machine()
    out = ["# Benchmarks\n"]
    out.append(
        f"Generated by `bench/report.sh` on {env['date']}; every figure below comes from that one "
        f"run, which took {env['minutes']} minutes, builds included. To regenerate: `bash "
        "bench/report.sh` (release builds; installs the official SDKs under `$TMPDIR`; all "
        "traffic goes to 127.0.0.1). The machine is shared, so quote medians and ratios rather "
        "than single times.\n"
    )
    out.append("## Machine\n")
    out.append("| | |")
    out.append("| --- | --- |")
    for key, label in [
        ("nproc", "cores (`nproc`)"),
        ("cpu", "CPU"),
        ("memory", "memory"),
        ("kernel", "kernel"),
        ("load", "load average at the start (1, 5, 15 min)"),
        ("rustc", "rustc"),
        ("glibc", "C library (the allocator of the memory figures)"),
        ("openssl", "OpenSSL"),
        ("python", "Python"),
        ("python_sdk", "alipay-sdk-python"),
        ("node", "Node.js"),
        ("node_sdk", "alipay-sdk (npm)"),
        ("tmux", "tmux"),
    ]:
        out.append(f"| {label} | {env.get(key, '?')} |")
    out.append("")
    walks(out)
    rsa(out, env)
    flows(out)
    tui(out)
    soak(out)
    # Measured by hand (bench/startup.sh compares two builds), kept in its own file.
    startup = Path(__file__).with_name("STARTUP.md")
    if startup.exists():
        out.append(startup.read_text().rstrip() + "\n")
    workbench(out)
    print("\n".join(out).rstrip() + "\n")


if __name__ == "__main__":
    main()
