//! Unit tests of the WeChat protocol core.
