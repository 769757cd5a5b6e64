//! Format rules for the values the management APIs accept (specs/oneaccess.md §2.2, §2.3, §5 #36).
//! Each rule is a plain predicate so that every dialect can report its own error code.

/// Chinese characters (CJK unified ideographs, extension A and the compatibility block).
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF)
}

fn length_within(value: &str, min: usize, max: usize) -> bool {
    let n = value.chars().count();
    n >= min && n <= max
}

/// Organisation code: Chinese/English letters, digits, underscore, hyphen; at most 64.
pub fn is_org_code(value: &str) -> bool {
    length_within(value, 1, 64)
        && value
            .chars()
            .all(|c| is_han(c) || c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Organisation name: Chinese/English letters, digits, space, hyphen, underscore, `&`; at most 100.
pub fn is_org_name(value: &str) -> bool {
    length_within(value, 1, 100)
        && value.trim() == value
        && value
            .chars()
            .all(|c| is_han(c) || c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '&'))
}

/// Username: letters (Latin or Chinese), digits and `_ . @ -`; 1 to 64 characters.
pub fn is_user_name(value: &str) -> bool {
    length_within(value, 1, 64)
        && value
            .chars()
            .all(|c| is_han(c) || c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '@' | '-'))
}

/// A display name: 1 to 64 printable characters without leading or trailing space.
pub fn is_display_name(value: &str) -> bool {
    length_within(value, 1, 64) && value.trim() == value && !value.chars().any(char::is_control)
}

/// Mobile number: an optional `+` country prefix, then 5 to 20 digits (hyphens allowed after a prefix).
pub fn is_mobile(value: &str) -> bool {
    let rest = value.strip_prefix('+').unwrap_or(value);
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    let hyphens_ok = value.starts_with('+') || !rest.contains('-');
    (5..=20).contains(&digits)
        && hyphens_ok
        && rest.chars().all(|c| c.is_ascii_digit() || c == '-')
        && !rest.starts_with('-')
        && !rest.ends_with('-')
}

/// Email: `local@domain` with a dot in the domain, no spaces, at most 128 characters.
pub fn is_email(value: &str) -> bool {
    if value.len() > 128 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// A calendar date written `yyyy-MM-dd`.
pub fn is_date(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1000 && (1..=days).contains(&d)
}

/// A short free-text attribute (city, work place, nickname…): 1 to 128 characters, no control characters.
pub fn is_short_text(value: &str) -> bool {
    length_within(value, 1, 128) && !value.chars().any(char::is_control)
}

/// An identifier-like attribute (employee id, document number, manager id): letters, digits, `_ - . /`.
pub fn is_identifier(value: &str) -> bool {
    length_within(value, 1, 64)
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
}

/// Country or region code: two or three ASCII letters (`CN`).
pub fn is_area(value: &str) -> bool {
    (2..=3).contains(&value.len()) && value.chars().all(|c| c.is_ascii_alphabetic())
}

pub const GENDERS: &[&str] = &["unknown", "male", "female"];
pub const USER_TYPES: &[&str] = &["regular", "intern", "dispatch", "outsourcing"];
pub const IDENTITY_TYPES: &[&str] = &[
    "id_card",
    "HongKong_Macau_Taiwan_residence_permit",
    "mainland_travel_permit_for_HongKong_Macao",
    "mainland_travel_permit_for_Taiwan",
    "chinese_passport",
    "overseas_passport",
    "overseas_driver_license",
    "officer_id",
    "foreigner_residence_permit",
    "other",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_codes_and_names_follow_the_documented_charsets() {
        assert!(is_org_code("1000001"));
        assert!(is_org_code("Test_Org-1"));
        assert!(is_org_code("总部"));
        assert!(!is_org_code("has space"));
        assert!(!is_org_code(&"a".repeat(65)));
        assert!(is_org_name("测试机构"));
        assert!(is_org_name("R&D Team_1"));
        assert!(!is_org_name("bad/name"));
        assert!(!is_org_name(""));
    }

    #[test]
    fn users_values_are_checked() {
        assert!(is_mobile("12345678901"));
        assert!(is_mobile("+86-13800138000"));
        assert!(!is_mobile("12ab"));
        assert!(is_email("zhangsan@example.com"));
        assert!(!is_email("zhangsan@"));
        assert!(!is_email("a b@example.com"));
        assert!(is_date("1990-02-01"));
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("1990-2-1"));
        assert!(is_user_name("zhangsan"));
        assert!(!is_user_name("zhang san"));
    }
}
