//! The weak-password list behind PWD.0005 (specs/oneaccess.md §4.9): about 30,000 common and
//! leaked passwords shipped inside the binary (`domain/data/common-passwords.txt`, source and
//! licence in its header), matched so that the usual disguises do not get a listed password
//! through. The matching rules and why they stop where they do are in
//! ops/adr/0013-password-list.md.

use std::collections::HashSet;
use std::sync::OnceLock;

/// The list, one password a line, `#` lines are comments.
const LIST: &str = include_str!("../../data/common-passwords.txt");

/// The fewest characters a listed word must have to condemn a password that merely starts or ends
/// with it. Shorter words (`abc`, `new`, `love`) are parts of too many reasonable passwords.
pub const MIN_BASE_LENGTH: usize = 5;

/// The password of the create-user example in specs/oneaccess.md §2.2 #2, which must work as
/// documented (ADR 0002). Exempt only in this exact spelling; its variants are refused.
const DOCUMENTED_EXAMPLE: &str = "P@ssw0rd";

/// Is `password`, or its base word, on the weak-password list (specs/oneaccess.md §4.9,
/// PWD.0005)?
///
/// A password is weak when, compared case-insensitively and with leet spellings undone, it is a
/// listed password, or it is one followed by digits and symbols (`Password1!`, `P@ssw0rd2024`),
/// or one preceded by them (`2024Summer!`). A listed word shorter than [`MIN_BASE_LENGTH`] only
/// condemns a password that is exactly that word. A password without a letter (`12345678`) is
/// left to the complexity rule (PWD.0004), which a tenant may loosen for it (ADR 0002).
pub fn is_weak(password: &str) -> bool {
    if password == DOCUMENTED_EXAMPLE || !password.chars().any(char::is_alphabetic) {
        return false;
    }
    let chars: Vec<char> = password.chars().flat_map(char::to_lowercase).collect();
    let list = folded_list();
    if list.contains(&fold(&chars)) {
        return true;
    }
    let filler = |c: &&char| !c.is_alphabetic();
    let leading = chars.iter().take_while(filler).count();
    let trailing = chars.iter().rev().take_while(filler).count();
    let starts = if leading == 0 {
        vec![0]
    } else {
        vec![0, leading]
    };
    starts.into_iter().any(|start| {
        // Every cut inside the trailing digits and symbols: `hell0123` is `hell0` and `123`.
        (chars.len() - trailing..=chars.len()).any(|end| {
            let base = &chars[start..end];
            base.len() >= MIN_BASE_LENGTH && list.contains(&fold(base))
        })
    })
}

/// The list with every entry folded, built once on first use.
fn folded_list() -> &'static HashSet<String> {
    static FOLDED: OnceLock<HashSet<String>> = OnceLock::new();
    FOLDED.get_or_init(|| {
        LIST.lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|entry| {
                fold(
                    &entry
                        .chars()
                        .flat_map(char::to_lowercase)
                        .collect::<Vec<_>>(),
                )
            })
            .collect()
    })
}

/// Undoes the common leet spellings of lower-case text. `1`, `i` and `l` fold to one letter, since
/// `1` stands for either; the few words that differ only there are equally common.
fn fold(chars: &[char]) -> String {
    chars
        .iter()
        .map(|c| match c {
            '0' => 'o',
            '1' | 'i' => 'l',
            '3' => 'e',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '7' => 't',
            other => *other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_holds_tens_of_thousands_of_passwords() {
        assert!(folded_list().len() > 25_000, "{}", folded_list().len());
        assert!(is_weak("password"));
        assert!(is_weak("qwerty"));
        assert!(is_weak("trustno1"));
        assert!(!is_weak("Vq8#Lm3Tzw"));
    }

    #[test]
    fn listed_passwords_are_refused_whatever_their_case() {
        for weak in ["PASSWORD", "Password", "pAsSwOrD", "Sunshine", "ILOVEYOU"] {
            assert!(is_weak(weak), "{weak}");
        }
    }

    #[test]
    fn leet_spellings_of_listed_passwords_are_refused() {
        for weak in [
            "Passw0rd", "P4ssw0rd", "Pa$$w0rd", "p@55w0rd", "5unsh1ne", "M0nk3y", "Tr1gger",
            "7rustno1", "Dr4g0n",
        ] {
            assert!(is_weak(weak), "{weak}");
        }
    }

    #[test]
    fn listed_passwords_with_digits_and_symbols_around_them_are_refused() {
        for weak in [
            "Password1!",
            "Passw0rd!",
            "P@ssw0rd2024",
            "P@ssw0rd!",
            "Sunshine2024!",
            "Welcome@123",
            "Admin@123",
            "Huawei@123",
            "Qwerty123!@#",
            "Trustno1!",
            "Hell0123",
            "2024Summer!",
            "!!Dragon",
        ] {
            assert!(is_weak(weak), "{weak}");
        }
    }

    #[test]
    fn the_earlier_built_in_list_is_still_refused() {
        for weak in [
            "password",
            "passw0rd",
            "p@ssword",
            "admin123",
            "admin@123",
            "qwerty123",
            "qwe123!@#",
            "abc123456",
            "abcd1234",
            "1qaz2wsx",
            "1qaz@wsx",
            "1q2w3e4r",
            "huawei123",
            "huawei@123",
            "welcome1",
            "letmein1",
            "iloveyou1",
            "changeme",
            "test@123",
        ] {
            assert!(is_weak(weak), "{weak}");
        }
    }

    #[test]
    fn a_short_listed_word_does_not_condemn_a_longer_password() {
        // `love` and `pass` are on the list, `abc`, `new` and `old` are not.
        for fine in [
            "New#5678",
            "Abc@12345",
            "Old@1234",
            "Love#9021",
            "Pass#7306",
        ] {
            assert!(!is_weak(fine), "{fine}");
        }
    }

    #[test]
    fn a_listed_word_inside_a_longer_phrase_does_not_condemn_it() {
        for fine in [
            "Admin#Set2024",
            "correct horse battery staple",
            "Sunshine-on-the-Kowloon-ferry",
            "Zq7#Password-manager-generated-9f",
        ] {
            assert!(!is_weak(fine), "{fine}");
        }
    }

    #[test]
    fn only_the_documented_example_is_exempt_in_its_exact_spelling() {
        assert!(!is_weak("P@ssw0rd"));
        assert!(is_weak("p@ssw0rd"));
        assert!(is_weak("P@ssw0rd1"));
    }

    #[test]
    fn passwords_without_a_letter_are_left_to_the_complexity_rule() {
        assert!(folded_list().contains(&fold(&['1', '2', '3', '4', '5', '6', '7', '8'])));
        assert!(!is_weak("12345678"));
        assert!(!is_weak("90210#4471!"));
        assert!(is_weak("1q2w3e4r"));
    }
}
