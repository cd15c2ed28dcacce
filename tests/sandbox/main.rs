//! The embedded sandbox end to end, over real loopback HTTP: every request is signed by the
//! client-side provider code and every answer verified with it, as an SDK would.

mod alipay;
mod certmode;
mod common;
mod control;
mod delegated_wechat;
mod isv;
mod locked;
mod state;
mod wechat;
