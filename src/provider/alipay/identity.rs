//! Which user ids an Alipay app gets, and which member fields it may still receive: both are
//! properties of the app, set in Alipay's console, never of the user.
//!
//! - **id mode.** Apps keyed on `user_id` (the uid, `2088…`, the same in every app), apps switched
//!   to `open_id` (a per-app id; new app ids are rolled out this way since 2024, see the
//!   `open_id`, `union_id` and `auth_start` fields the official Java SDK added to
//!   `AlipaySystemOauthTokenResponse.java`, marked @since 2024-03-01), and apps in migration
//!   that get both. Apps of one app group (应用分组) also get a `union_id`, the same in each.
//! - **hidden fields.** Apps approved after 2019-12-24 no longer receive `user_status`,
//!   `is_certified`, `user_type` or `is_student_certified` from `alipay.user.info.share`.

use serde::{Deserialize, Serialize};

/// The date after which newly approved apps stopped receiving [`HIDDEN_FIELDS`].
pub const HIDDEN_FIELDS_SINCE: &str = "2019-12-24";

/// The member fields an app approved after [`HIDDEN_FIELDS_SINCE`] does not receive.
pub const HIDDEN_FIELDS: [&str; 4] = [
    "user_status",
    "is_certified",
    "user_type",
    "is_student_certified",
];

/// Which user id the gateway puts in an app's responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IdMode {
    /// `user_id` only: the seeds' apps, and every app created before the open_id rollout.
    #[serde(rename = "uid")]
    Uid,
    /// `open_id` only: apps created during the rollout, or switched in the console.
    #[serde(rename = "openid")]
    OpenId,
    /// Both, while an app migrates from `user_id` to `open_id`.
    #[serde(rename = "both")]
    Both,
}

impl IdMode {
    /// The name `sandbox.json` and profiles use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uid => "uid",
            Self::OpenId => "openid",
            Self::Both => "both",
        }
    }

    /// Responses carry `user_id`.
    pub fn has_user_id(self) -> bool {
        matches!(self, Self::Uid | Self::Both)
    }

    /// Responses carry `open_id`.
    pub fn has_open_id(self) -> bool {
        matches!(self, Self::OpenId | Self::Both)
    }

    /// The id to key users on in this mode.
    pub fn key_field(self) -> &'static str {
        match self {
            Self::Uid => "user_id",
            // While migrating, store open_id next to user_id and key on open_id from now on.
            Self::OpenId | Self::Both => "open_id",
        }
    }
}

impl std::str::FromStr for IdMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "uid" | "user_id" => Ok(Self::Uid),
            "openid" | "open_id" => Ok(Self::OpenId),
            "both" => Ok(Self::Both),
            other => Err(format!(
                "unknown id_mode '{other}': use uid, openid or both"
            )),
        }
    }
}

/// What an app's console says about its users' ids and its approval date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppIdentity {
    pub id_mode: IdMode,
    /// The app group (应用分组): apps of one group share each user's `union_id`.
    pub union_group: Option<&'static str>,
    /// When the app was approved (`YYYY-MM-DD`).
    pub approved: &'static str,
}

impl AppIdentity {
    /// Approved after 2019-12-24: [`HIDDEN_FIELDS`] are withheld. ISO dates compare as text.
    pub fn hides_legacy_fields(&self) -> bool {
        self.approved > HIDDEN_FIELDS_SINCE
    }
}

/// Whether a member field is one of those withheld from apps approved after 2019-12-24.
pub fn is_hidden_field(name: &str) -> bool {
    HIDDEN_FIELDS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_and_dates() {
        assert!(IdMode::Uid.has_user_id() && !IdMode::Uid.has_open_id());
        assert!(!IdMode::OpenId.has_user_id() && IdMode::OpenId.has_open_id());
        assert!(IdMode::Both.has_user_id() && IdMode::Both.has_open_id());
        assert_eq!("open_id".parse::<IdMode>(), Ok(IdMode::OpenId));
        assert!("uuid".parse::<IdMode>().is_err());
        let app = |approved| AppIdentity {
            id_mode: IdMode::Uid,
            union_group: None,
            approved,
        };
        assert!(!app("2019-12-24").hides_legacy_fields());
        assert!(app("2019-12-25").hides_legacy_fields());
        assert!(!app("2018-06-01").hides_legacy_fields());
        assert!(is_hidden_field("user_status") && !is_hidden_field("nick_name"));
        assert_eq!(
            serde_json::to_string(&IdMode::OpenId).expect("json"),
            "\"openid\""
        );
    }
}
