//! WeChat: consent pages with order checks, the sns calls and errcodes, the token mix-up.
