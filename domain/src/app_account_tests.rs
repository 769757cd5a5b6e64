use super::*;
use crate::testing::{claim_kinds, given, given_no_events, FakeHasher};

const NOW: i64 = 1_700_000_000_000;

fn create(account_name: &str, extension: Option<Map<String, Value>>) -> AppAccountCommand {
    AppAccountCommand::Create {
        account_id: "c1".into(),
        application_id: "a1".into(),
        user_id: "u1".into(),
        change: AccountChange {
            account_name: Some(account_name.into()),
            name: Some("Zhang San".into()),
            password: Some("Acc#2024x".into()),
            extension,
            defined_extensions: vec!["deep".into(), "age".into()],
            ..Default::default()
        },
        now: NOW,
    }
}

fn created() -> AppAccountEvent {
    AppAccountEvent::AccountCreated {
        account_id: "c1".into(),
        application_id: "a1".into(),
        user_id: "u1".into(),
        org_id: None,
        password_hash: Some("fake$Acc#2024x".into()),
        disabled: false,
        created_at: NOW,
        personal: AccountPersonal {
            account_name: "zhangsan".into(),
            name: "Zhang San".into(),
            extension: Map::new(),
        },
    }
}

fn update(change: AccountChange) -> AppAccountCommand {
    AppAccountCommand::Update {
        change,
        now: NOW + 1,
    }
}

#[test]
fn an_account_claims_its_name_and_its_user_in_the_application() {
    let decision = given_no_events::<AppAccount>()
        .when(create("zhangsan", None), &FakeHasher)
        .then_expect_events(&[created()]);
    assert_eq!(
        claim_kinds(&decision.claims),
        ["app_account.account_name", "app_account.user"]
    );
    assert_eq!(decision.claims[0].value, "a1/zhangsan");
}

#[test]
fn creation_refuses_bad_input_and_repeats() {
    given_no_events::<AppAccount>()
        .when(create(" ", None), &FakeHasher)
        .then_expect_error(AppAccountError::NameRequired);
    given_no_events::<AppAccount>()
        .when(create("bad name", None), &FakeHasher)
        .then_expect_error(AppAccountError::NameInvalid);
    let nested = serde_json::json!({"deep": {"x": 1}}).as_object().cloned();
    given_no_events::<AppAccount>()
        .when(create("zhangsan", nested), &FakeHasher)
        .then_expect_error(AppAccountError::ExtensionInvalid("deep".into()));
    given::<AppAccount>(&[created()])
        .when(create("zhangsan", None), &FakeHasher)
        .then_expect_error(AppAccountError::AlreadyExists);
}

#[test]
fn commands_on_a_missing_or_deleted_account_are_refused() {
    given_no_events::<AppAccount>()
        .when(AppAccountCommand::Enable { now: NOW }, &FakeHasher)
        .then_expect_error(AppAccountError::NotFound);
    let deleted = AppAccountEvent::AccountDeleted {
        account_id: "c1".into(),
        application_id: "a1".into(),
        deleted_at: NOW,
    };
    given::<AppAccount>(&[created(), deleted])
        .when(update(AccountChange::default()), &FakeHasher)
        .then_expect_error(AppAccountError::NotFound);
}

#[test]
fn an_update_renames_moves_the_name_claim_and_records_each_change() {
    let change = AccountChange {
        account_name: Some("Test02".into()),
        name: Some("Example".into()),
        password: Some("Other#2024".into()),
        disabled: Some(true),
        ..Default::default()
    };
    let decision = given::<AppAccount>(&[created()])
        .when(update(change), &FakeHasher)
        .then_expect_events(&[
            AppAccountEvent::AccountUpdated {
                account_id: "c1".into(),
                application_id: "a1".into(),
                org_id: None,
                changed: vec!["account_name".into(), "name".into()],
                updated_at: NOW + 1,
                personal: AccountPersonal {
                    account_name: "Test02".into(),
                    name: "Example".into(),
                    extension: Map::new(),
                },
            },
            AppAccountEvent::AccountPasswordChanged {
                account_id: "c1".into(),
                password_hash: "fake$Other#2024".into(),
                changed_at: NOW + 1,
            },
            AppAccountEvent::AccountDisabled {
                account_id: "c1".into(),
                at: NOW + 1,
            },
        ]);
    assert_eq!(decision.releases, [name_claim("a1", "zhangsan")]);
    assert_eq!(decision.claims, [name_claim("a1", "Test02")]);
    given::<AppAccount>(&[created()])
        .when(
            update(AccountChange {
                account_name: Some("bad name".into()),
                ..Default::default()
            }),
            &FakeHasher,
        )
        .then_expect_error(AppAccountError::NameInvalid);
    given::<AppAccount>(&[created()])
        .when(
            update(AccountChange {
                account_name: Some(String::new()),
                ..Default::default()
            }),
            &FakeHasher,
        )
        .then_expect_events(&[]);
}

#[test]
fn enabling_and_disabling_record_only_real_changes_and_deletion_releases_claims() {
    given::<AppAccount>(&[created()])
        .when(AppAccountCommand::Enable { now: NOW }, &FakeHasher)
        .then_expect_events(&[]);
    given::<AppAccount>(&[created()])
        .when(AppAccountCommand::Disable { now: NOW }, &FakeHasher)
        .then_expect_events(&[AppAccountEvent::AccountDisabled {
            account_id: "c1".into(),
            at: NOW,
        }]);
    let decision = given::<AppAccount>(&[created()])
        .when(AppAccountCommand::Delete { now: NOW }, &FakeHasher)
        .decision();
    assert_eq!(
        decision.releases,
        [name_claim("a1", "zhangsan"), user_claim("a1", "u1")]
    );
}

#[test]
fn the_display_name_is_required_and_bounded() {
    let with_name = |name: &str| AppAccountCommand::Create {
        account_id: "c1".into(),
        application_id: "a1".into(),
        user_id: "u1".into(),
        change: AccountChange {
            account_name: Some("zhangsan".into()),
            name: Some(name.into()),
            ..Default::default()
        },
        now: NOW,
    };
    given_no_events::<AppAccount>()
        .when(with_name("   "), &FakeHasher)
        .then_expect_error(AppAccountError::DisplayNameRequired);
    given_no_events::<AppAccount>()
        .when(with_name(&"n".repeat(65)), &FakeHasher)
        .then_expect_error(AppAccountError::DisplayNameInvalid);
    given::<AppAccount>(&[created()])
        .when(
            update(AccountChange {
                name: Some("bad\u{1}".into()),
                ..Default::default()
            }),
            &FakeHasher,
        )
        .then_expect_error(AppAccountError::DisplayNameInvalid);
    given::<AppAccount>(&[created()])
        .when(
            update(AccountChange {
                name: Some("   ".into()),
                ..Default::default()
            }),
            &FakeHasher,
        )
        .then_expect_events(&[]);
}

#[test]
fn only_extension_attributes_of_the_account_model_are_accepted() {
    let undefined = serde_json::json!({"height": "180"}).as_object().cloned();
    given_no_events::<AppAccount>()
        .when(create("zhangsan", undefined), &FakeHasher)
        .then_expect_error(AppAccountError::ExtensionUndefined("height".into()));
    let defined = serde_json::json!({"age": "18"}).as_object().cloned();
    given_no_events::<AppAccount>()
        .when(create("zhangsan", defined), &FakeHasher)
        .decision();
}
