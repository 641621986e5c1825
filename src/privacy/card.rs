//! Card numbers wherever they were typed. The content script runs the same
//! rule (`hasCardNumber` in extension/content.js) on the same table.

use super::rules::{rules, Rules};

/// Whether `text` holds a card number: a Luhn-valid window of 12 to 19
/// consecutive digits inside a run of digits, spaces and dashes (the
/// separators are skipped). A window, not the whole run, so that a number
/// typed next to its security code ("4111 1111 1111 1111 123") or inside a
/// sentence is found too.
pub fn looks_like_card_number(text: &str) -> bool {
    has_card_number(rules(), text)
}

fn has_card_number(r: &Rules, text: &str) -> bool {
    // The digits of the current run; only the last `card_digits_max` matter.
    let mut digits: Vec<u8> = Vec::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            if digits.len() >= 2 * r.card_digits_max {
                digits.drain(..r.card_digits_max);
            }
            digits.push(c as u8 - b'0');
            if luhn_window_ends_here(r, &digits) {
                return true;
            }
        } else if !r.card_separators.contains(c) {
            digits.clear(); // the run ends
        }
    }
    false
}

/// Walks back from the last digit, doubling every second one, and checks
/// each window length in range: 19 steps per digit, whatever the text.
fn luhn_window_ends_here(r: &Rules, digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (back, &d) in digits.iter().rev().take(r.card_digits_max).enumerate() {
        let d = u32::from(d);
        sum += if back % 2 == 1 {
            if d * 2 > 9 {
                d * 2 - 9
            } else {
                d * 2
            }
        } else {
            d
        };
        if back + 1 >= r.card_digits_min && sum.is_multiple_of(10) && r.card_first_digits.contains(char::from(b'0' + d as u8)) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers() {
        assert!(looks_like_card_number("4111111111111111"));
        assert!(looks_like_card_number("5500 0000 0000 0004"));
        assert!(looks_like_card_number("3782-822463-10005"), "Amex, 15 digits");
        assert!(
            !looks_like_card_number("4111111111111114"),
            "fails the check digit, and no shorter window passes"
        );
        assert!(!looks_like_card_number("1 000 000 000 000 000"), "zeros pass Luhn, but no card starts with 0");
        assert!(!looks_like_card_number("12345678901"), "too short");
        assert!(!looks_like_card_number(""));
    }

    /// Issue 11: both were kept before.
    #[test]
    fn numbers_inside_free_text() {
        assert!(looks_like_card_number("card 4111-1111-1111-1111 12/25"));
        assert!(looks_like_card_number("4111 1111 1111 1111 123"));
        assert!(looks_like_card_number("my card is 4111111111111111, thanks"));
        assert!(looks_like_card_number("x4111111111111111y"), "letters end a run, they do not hide it");
        assert!(looks_like_card_number("99 4111 1111 1111 1111"), "digits before the number");
        assert!(looks_like_card_number("4111  -  1111 1111 1111"), "several separators in a row");
    }

    /// Numbers people type that must stay: phone numbers, dates, amounts.
    /// (Any 12+ digit run has about a one in ten chance per window of passing
    /// Luhn; these are real shapes that do not.)
    #[test]
    fn other_numbers_are_kept() {
        for text in [
            "+1 555 0100",
            "+44 20 7946 0958",
            "+49 30 12345678",
            "call 0800-123-4567 or 0800-765-4321",
            "2024-05-17",
            "17/05/2024 13:45",
            "2024-05-17 13:45:00",
            "meet on 2024-05-17, room 101",
            "total 1234.56 EUR",
            "4111-1111-1111",
            "ISBN 978-3-16-148410-0",
        ] {
            assert!(!looks_like_card_number(text), "{text}");
        }
    }

    #[test]
    fn non_ascii_digits_do_not_count() {
        // Arabic-Indic digits: to_digit(10) says no, and so does the content script's \d.
        assert!(!looks_like_card_number("٤١١١١١١١١١١١١١١١"));
    }
}
