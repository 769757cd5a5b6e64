use super::*;
use crate::testing::{given, given_no_events};

use SdkChallenge::{MfaAuth, PasswordExpired, PasswordWarn};

fn start(due: Vec<SdkChallenge>) -> SdkLoginCommand {
    SdkLoginCommand::Start {
        user_id: "u1".into(),
        application_id: "a1".into(),
        device_hash: "d1".into(),
        due,
        session_id: "s1".into(),
        now: 1_000,
        expires_at: 2_000,
    }
}

fn started() -> SdkLoginEvent {
    SdkLoginEvent::Started {
        user_id: "u1".into(),
        application_id: "a1".into(),
        device_hash: "d1".into(),
        at: 1_000,
    }
}

fn challenged(step: u32, challenge: SdkChallenge, at: i64) -> SdkLoginEvent {
    SdkLoginEvent::Challenged {
        step,
        challenge,
        issued_at: at,
        expires_at: at + 1_000,
    }
}

fn pass(
    step: u32,
    challenge: SdkChallenge,
    by: PassedBy,
    due: Vec<SdkChallenge>,
    now: i64,
) -> SdkLoginCommand {
    SdkLoginCommand::Pass {
        step,
        challenge,
        by,
        due,
        session_id: "s1".into(),
        now,
        expires_at: now + 1_000,
    }
}

fn completed(methods: &[&str], at: i64) -> SdkLoginEvent {
    SdkLoginEvent::Completed {
        session_id: "s1".into(),
        methods: methods.iter().map(|m| m.to_string()).collect(),
        at,
    }
}

#[test]
fn a_login_with_nothing_due_completes_at_once() {
    given_no_events::<SdkLogin>()
        .when(start(vec![]), &())
        .then_expect_events(&[started(), completed(&["pwd"], 1_000)]);
}

#[test]
fn a_login_with_challenges_due_starts_with_the_first() {
    given_no_events::<SdkLogin>()
        .when(start(vec![PasswordWarn, MfaAuth]), &())
        .then_expect_events(&[started(), challenged(1, PasswordWarn, 1_000)]);
    given::<SdkLogin>(&[started()])
        .when(start(vec![]), &())
        .then_expect_error(SdkLoginError::AlreadyStarted);
}

#[test]
fn a_skipped_warning_leads_to_the_second_factor_and_then_to_completion() {
    let history = vec![started(), challenged(1, PasswordWarn, 1_000)];
    // The warning is still due after the skip (the password did not change): it is not asked again.
    given::<SdkLogin>(&history)
        .when(
            pass(
                1,
                PasswordWarn,
                PassedBy::Skip,
                vec![PasswordWarn, MfaAuth],
                1_500,
            ),
            &(),
        )
        .then_expect_events(&[
            SdkLoginEvent::StepPassed {
                step: 1,
                challenge: PasswordWarn,
                by: PassedBy::Skip,
                at: 1_500,
            },
            challenged(2, MfaAuth, 1_500),
        ]);
    let mut history = history;
    history.extend([
        SdkLoginEvent::StepPassed {
            step: 1,
            challenge: PasswordWarn,
            by: PassedBy::Skip,
            at: 1_500,
        },
        challenged(2, MfaAuth, 1_500),
    ]);
    given::<SdkLogin>(&history)
        .when(
            pass(
                2,
                MfaAuth,
                PassedBy::Sms,
                vec![PasswordWarn, MfaAuth],
                1_800,
            ),
            &(),
        )
        .then_expect_events(&[
            SdkLoginEvent::StepPassed {
                step: 2,
                challenge: MfaAuth,
                by: PassedBy::Sms,
                at: 1_800,
            },
            completed(&["pwd", "sms"], 1_800),
        ]);
}

#[test]
fn a_changed_password_completes_when_nothing_else_is_due() {
    given::<SdkLogin>(&[started(), challenged(1, PasswordExpired, 1_000)])
        .when(
            pass(
                1,
                PasswordExpired,
                PassedBy::PasswordChange,
                vec![PasswordExpired],
                1_200,
            ),
            &(),
        )
        .then_expect_events(&[
            SdkLoginEvent::StepPassed {
                step: 1,
                challenge: PasswordExpired,
                by: PassedBy::PasswordChange,
                at: 1_200,
            },
            completed(&["pwd"], 1_200),
        ]);
}

#[test]
fn a_state_token_is_refused_by_a_challenge_it_is_not_for() {
    let history = [started(), challenged(1, PasswordExpired, 1_000)];
    // An expired password cannot be skipped, and a second factor does not pass it.
    given::<SdkLogin>(&history)
        .when(pass(1, PasswordExpired, PassedBy::Skip, vec![], 1_100), &())
        .then_expect_error(SdkLoginError::WrongChallenge);
    given::<SdkLogin>(&history)
        .when(pass(1, PasswordExpired, PassedBy::Totp, vec![], 1_100), &())
        .then_expect_error(SdkLoginError::WrongChallenge);
    // A token naming another challenge than the current one is refused.
    given::<SdkLogin>(&history)
        .when(pass(1, MfaAuth, PassedBy::Totp, vec![], 1_100), &())
        .then_expect_error(SdkLoginError::WrongChallenge);
}

#[test]
fn a_step_is_passed_once_and_only_before_it_expires() {
    let history = [
        started(),
        challenged(1, PasswordWarn, 1_000),
        SdkLoginEvent::StepPassed {
            step: 1,
            challenge: PasswordWarn,
            by: PassedBy::Skip,
            at: 1_100,
        },
        challenged(2, MfaAuth, 1_100),
    ];
    given::<SdkLogin>(&history)
        .when(pass(1, PasswordWarn, PassedBy::Skip, vec![], 1_200), &())
        .then_expect_error(SdkLoginError::StaleStep);
    given::<SdkLogin>(&history)
        .when(pass(2, MfaAuth, PassedBy::Totp, vec![], 2_100), &())
        .then_expect_error(SdkLoginError::Expired);
    let done = [
        started(),
        challenged(1, PasswordWarn, 1_000),
        completed(&["pwd"], 1_100),
    ];
    given::<SdkLogin>(&done)
        .when(pass(1, PasswordWarn, PassedBy::Skip, vec![], 1_200), &())
        .then_expect_error(SdkLoginError::Completed);
    given_no_events::<SdkLogin>()
        .when(pass(1, PasswordWarn, PassedBy::Skip, vec![], 1_200), &())
        .then_expect_error(SdkLoginError::Unknown);
}

#[test]
fn challenges_are_named_as_on_the_wire() {
    for challenge in [PasswordWarn, PasswordExpired, MfaAuth] {
        assert_eq!(SdkChallenge::parse(challenge.as_str()), Some(challenge));
        assert_eq!(
            serde_json::to_value(challenge).unwrap(),
            serde_json::json!(challenge.as_str())
        );
    }
    assert_eq!(SdkChallenge::parse("SUCCESS"), None);
}
