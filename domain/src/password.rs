//! The tenant's password policy (specs/oneaccess.md §4.9, PWD.0001–PWD.0008) and the pure checks
//! behind it. Hashing is a service (`PasswordHasher`) so that decisions stay free of IO and tests
//! can use a fast fake.

use serde::{Deserialize, Serialize};

mod weak_list;

/// The longest `max_length` a tenant may set, and the default: long passphrases and generated
/// passwords must fit (ADR 0013). Argon2 hashes any length, so the bound only keeps requests small.
pub const MAX_LENGTH_LIMIT: u32 = 128;

/// Hashes and verifies human passwords (argon2id in production).
pub trait PasswordHasher: Send + Sync {
    fn hash(&self, password: &str) -> String;
    fn verify(&self, password: &str, hash: &str) -> bool;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordPolicy {
    pub min_length: u32,
    pub max_length: u32,
    /// How many of the four classes (lower, upper, digit, other) a password must mix.
    pub min_char_classes: u32,
    /// The most times one character may repeat in a row; 0 means no limit.
    pub max_repeated_chars: u32,
    /// How many earlier passwords (the current one included) may not be reused; 0 means none.
    pub history: u32,
    pub forbid_reversed_user_name: bool,
    /// The password may not contain the username, mobile number or email prefix.
    pub forbid_personal_info: bool,
    pub forbid_weak_list: bool,
    /// Days a password lasts before it must be changed; 0 means passwords do not expire.
    pub max_age_days: u32,
    /// Days before expiry from which sign-in warns (PASSWORD_WARN) and offers the change.
    pub expiry_warning_days: u32,
}

/// How old a password is under the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordAge {
    Fresh,
    /// Expires within the warning window.
    Expiring {
        days_left: u32,
    },
    Expired,
}

impl PasswordPolicy {
    /// The age of a password set at `changed_at` (ms), at `now` (ms).
    pub fn age(&self, changed_at: Option<i64>, now: i64) -> PasswordAge {
        const DAY_MS: i64 = 24 * 3600 * 1000;
        let Some(changed_at) = changed_at.filter(|_| self.max_age_days > 0) else {
            return PasswordAge::Fresh;
        };
        let expires_at = changed_at + i64::from(self.max_age_days) * DAY_MS;
        if now >= expires_at {
            return PasswordAge::Expired;
        }
        let left = expires_at - now;
        if left <= i64::from(self.expiry_warning_days) * DAY_MS {
            let days_left = u32::try_from((left + DAY_MS - 1) / DAY_MS).unwrap_or(u32::MAX);
            return PasswordAge::Expiring { days_left };
        }
        PasswordAge::Fresh
    }
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 8,
            max_length: MAX_LENGTH_LIMIT,
            min_char_classes: 3,
            max_repeated_chars: 3,
            history: 3,
            forbid_reversed_user_name: true,
            forbid_personal_info: true,
            forbid_weak_list: true,
            max_age_days: 0,
            expiry_warning_days: 7,
        }
    }
}

/// Why a password was refused, one variant per PWD code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordViolation {
    #[error("historical passwords cannot be used")]
    ReusedFromHistory,
    #[error("password cannot be the username spelled backwards")]
    ReversedUserName,
    #[error("password cannot include username, mobile number, or email prefix")]
    ContainsPersonalInfo,
    #[error("weak password: too few character classes")]
    TooSimple,
    #[error("weak password: on the weak-password list")]
    OnWeakList,
    #[error("at most {0} identical characters in a row")]
    TooManyRepeated(u32),
    #[error("password must be {0} to {1} characters")]
    Length(u32, u32),
    #[error("password required")]
    Required,
}

/// What the policy knows about the password's owner.
#[derive(Debug, Clone, Copy, Default)]
pub struct PasswordOwner<'a> {
    pub user_name: &'a str,
    pub mobile: Option<&'a str>,
    pub email: Option<&'a str>,
}

impl PasswordPolicy {
    /// Checks a new password against every rule except history (which needs the hasher).
    pub fn check(&self, password: &str, owner: PasswordOwner<'_>) -> Result<(), PasswordViolation> {
        if password.is_empty() {
            return Err(PasswordViolation::Required);
        }
        let length = password.chars().count() as u32;
        if length < self.min_length || length > self.max_length {
            return Err(PasswordViolation::Length(self.min_length, self.max_length));
        }
        let lower = password.to_lowercase();
        if self.forbid_weak_list && weak_list::is_weak(password) {
            return Err(PasswordViolation::OnWeakList);
        }
        if self.forbid_reversed_user_name && !owner.user_name.is_empty() {
            let reversed: String = owner.user_name.to_lowercase().chars().rev().collect();
            if lower == reversed {
                return Err(PasswordViolation::ReversedUserName);
            }
        }
        if self.forbid_personal_info && contains_personal_info(&lower, owner) {
            return Err(PasswordViolation::ContainsPersonalInfo);
        }
        if char_classes(password) < self.min_char_classes {
            return Err(PasswordViolation::TooSimple);
        }
        if self.max_repeated_chars > 0 && longest_run(password) > self.max_repeated_chars {
            return Err(PasswordViolation::TooManyRepeated(self.max_repeated_chars));
        }
        Ok(())
    }
}

fn contains_personal_info(lower: &str, owner: PasswordOwner<'_>) -> bool {
    let email_prefix = owner.email.and_then(|e| e.split('@').next());
    [Some(owner.user_name), owner.mobile, email_prefix]
        .into_iter()
        .flatten()
        .filter(|v| v.chars().count() >= 3)
        .any(|v| lower.contains(&v.to_lowercase()))
}

fn char_classes(password: &str) -> u32 {
    let has = |f: fn(&char) -> bool| password.chars().any(|c| f(&c)) as u32;
    has(char::is_ascii_lowercase)
        + has(char::is_ascii_uppercase)
        + has(char::is_ascii_digit)
        + has(|c| !c.is_ascii_alphanumeric())
}

fn longest_run(password: &str) -> u32 {
    let mut longest = 0;
    let mut run = 0;
    let mut previous = None;
    for c in password.chars() {
        run = if previous == Some(c) { run + 1 } else { 1 };
        longest = longest.max(run);
        previous = Some(c);
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> PasswordOwner<'static> {
        PasswordOwner {
            user_name: "zhangsan",
            mobile: Some("12345678901"),
            email: Some("zs@example.com"),
        }
    }

    #[test]
    fn the_default_policy_accepts_a_mixed_password() {
        assert_eq!(PasswordPolicy::default().check("New#5678", owner()), Ok(()));
    }

    #[test]
    fn each_rule_refuses_with_its_own_violation() {
        let policy = PasswordPolicy::default();
        let check = |p: &str| policy.check(p, owner());
        assert_eq!(check(""), Err(PasswordViolation::Required));
        assert_eq!(check("Ab1#"), Err(PasswordViolation::Length(8, 128)));
        assert_eq!(check("Password"), Err(PasswordViolation::OnWeakList));
        assert_eq!(check("nasgnahz"), Err(PasswordViolation::ReversedUserName));
        assert_eq!(
            check("Zhangsan#1"),
            Err(PasswordViolation::ContainsPersonalInfo)
        );
        assert_eq!(
            check("x12345678901Y"),
            Err(PasswordViolation::ContainsPersonalInfo)
        );
        assert_eq!(check("12345678"), Err(PasswordViolation::TooSimple));
        assert_eq!(
            check("Aaaaa#12"),
            Err(PasswordViolation::TooManyRepeated(3))
        );
    }

    #[test]
    fn the_default_policy_accepts_passphrases_up_to_128_characters() {
        let policy = PasswordPolicy::default();
        let phrase = "Seven tired gulls argue over 1 chip; ".repeat(4);
        let longest: String = phrase.chars().take(128).collect();
        assert_eq!(policy.check(&longest, owner()), Ok(()));
        let too_long = format!("{longest}x");
        assert_eq!(
            policy.check(&too_long, owner()),
            Err(PasswordViolation::Length(8, 128))
        );
    }

    #[test]
    fn the_default_policy_refuses_disguised_common_passwords() {
        let policy = PasswordPolicy::default();
        for weak in ["Password1!", "Passw0rd!", "P@ssw0rd2024", "Welcome@2024"] {
            assert_eq!(
                policy.check(weak, owner()),
                Err(PasswordViolation::OnWeakList),
                "{weak}"
            );
        }
        let digits_allowed = PasswordPolicy {
            min_char_classes: 1,
            ..Default::default()
        };
        // Digits alone are the complexity rule's to judge: the change-password example of
        // specs/oneaccess.md §2.2 #7 passes once the tenant allows one class (ADR 0002).
        assert_eq!(digits_allowed.check("12345678", owner()), Ok(()));
        assert_eq!(
            digits_allowed.check("password2024", owner()),
            Err(PasswordViolation::OnWeakList)
        );
        let tolerant = PasswordPolicy {
            forbid_weak_list: false,
            ..Default::default()
        };
        assert_eq!(tolerant.check("Password1!", owner()), Ok(()));
    }
}
