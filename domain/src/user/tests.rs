use super::*;
use crate::aggregate::Claim;
use crate::password::PasswordViolation;
use crate::tenant::{AttributeRule, TenantSettings};
use crate::testing::{claim_kinds, given, given_no_events, FakeHasher};

const NOW: i64 = 1_700_000_000_000;

fn input(fields: &[(UserField, &str)]) -> UserInput {
    UserInput {
        fields: fields.iter().map(|(f, v)| (*f, v.to_string())).collect(),
        extension: None,
        account: Default::default(),
    }
}

fn primary(org_id: &str) -> OrgRelation {
    OrgRelation {
        org_id: org_id.to_string(),
        relation_type: 1,
        post: None,
        sort: None,
    }
}

fn secondary(org_id: &str) -> OrgRelation {
    OrgRelation {
        org_id: org_id.to_string(),
        relation_type: 0,
        post: None,
        sort: None,
    }
}

fn create_command(fields: &[(UserField, &str)], password: Option<&str>) -> UserCommand {
    UserCommand::Create {
        user_id: "u1".into(),
        input: input(fields),
        password: password.map(str::to_string),
        pwd_must_modify: true,
        org_relations: vec![primary("o1")],
        settings: TenantSettings::default(),
        now: NOW,
    }
}

fn profile() -> UserProfile {
    UserProfile {
        username: "zhangsan".into(),
        display_name: "zhangsan".into(),
        mobile: Some("12345678901".into()),
        ..Default::default()
    }
}

fn created(password_hash: Option<&str>) -> UserEvent {
    UserEvent::UserCreated {
        user_id: "u1".into(),
        org_relations: vec![primary("o1")],
        pwd_must_modify: true,
        password_hash: password_hash.map(str::to_string),
        created_at: NOW,
        personal: profile(),
        claimed: vec!["user.user_name".into(), "user.mobile".into()],
        account: Default::default(),
    }
}

const BASIC: &[(UserField, &str)] = &[
    (UserField::Username, "zhangsan"),
    (UserField::Mobile, "12345678901"),
];

#[test]
fn creating_a_user_defaults_the_name_to_the_username_and_claims_username_and_mobile() {
    let decision = given_no_events::<User>()
        .when(create_command(BASIC, None), &FakeHasher)
        .then_expect_events(&[created(None)]);
    assert_eq!(
        claim_kinds(&decision.claims),
        ["user.user_name", "user.mobile"]
    );
}

#[test]
fn creating_a_user_with_a_password_stores_only_its_hash() {
    given_no_events::<User>()
        .when(create_command(BASIC, Some("New#5678")), &FakeHasher)
        .then_expect_events(&[created(Some("fake$New#5678"))]);
}

#[test]
fn creating_a_user_twice_is_refused() {
    given::<User>(&[created(None)])
        .when(create_command(BASIC, None), &FakeHasher)
        .then_expect_error(UserError::AlreadyExists);
}

#[test]
fn a_missing_username_or_mobile_is_required() {
    given_no_events::<User>()
        .when(
            create_command(&[(UserField::Mobile, "12345678901")], None),
            &FakeHasher,
        )
        .then_expect_error(UserError::Required(UserField::Username));
    given_no_events::<User>()
        .when(
            create_command(&[(UserField::Username, "zhangsan")], None),
            &FakeHasher,
        )
        .then_expect_error(UserError::Required(UserField::Mobile));
}

#[test]
fn a_tenant_can_make_more_attributes_required() {
    let mut settings = TenantSettings::default();
    settings.user_attributes.0.insert(
        "email".into(),
        AttributeRule {
            required: true,
            unique: true,
            pattern: None,
        },
    );
    settings.user_attributes.0.insert(
        "extension.age".into(),
        AttributeRule {
            required: true,
            unique: false,
            pattern: None,
        },
    );
    let command = |extension: Option<serde_json::Map<String, serde_json::Value>>, email: bool| {
        let mut fields = BASIC.to_vec();
        if email {
            fields.push((UserField::Email, "zs@example.com"));
        }
        UserCommand::Create {
            user_id: "u1".into(),
            input: UserInput {
                extension,
                ..input(&fields)
            },
            password: None,
            pwd_must_modify: true,
            org_relations: vec![],
            settings: settings.clone(),
            now: NOW,
        }
    };
    given_no_events::<User>()
        .when(command(None, false), &FakeHasher)
        .then_expect_error(UserError::Required(UserField::Email));
    given_no_events::<User>()
        .when(command(None, true), &FakeHasher)
        .then_expect_error(UserError::ExtensionRequired("age".into()));
    let age = serde_json::json!({"age": "18"}).as_object().cloned();
    let decision = given_no_events::<User>()
        .when(command(age, true), &FakeHasher)
        .decision();
    assert_eq!(decision.events.len(), 1);
}

#[test]
fn badly_formed_attributes_are_invalid() {
    let cases = [
        (UserField::Username, "zhang san"),
        (UserField::Mobile, "phone"),
        (UserField::Email, "not-an-email"),
        (UserField::BirthDate, "1990-13-01"),
        (UserField::Gender, "other"),
        (UserField::IdentityType, "passport"),
        (UserField::EmploymentType, "boss"),
        (UserField::HireDate, "yesterday"),
        (UserField::CountryOrRegion, "China"),
    ];
    for (field, value) in cases {
        let mut fields = BASIC.to_vec();
        fields.retain(|(f, _)| *f != field);
        fields.push((field, value));
        given_no_events::<User>()
            .when(create_command(&fields, None), &FakeHasher)
            .then_expect_error(UserError::Invalid(field));
    }
}

#[test]
fn a_nested_extension_value_is_invalid() {
    let command = UserCommand::Create {
        user_id: "u1".into(),
        input: UserInput {
            extension: serde_json::json!({"deep": {"x": 1}}).as_object().cloned(),
            ..input(BASIC)
        },
        password: None,
        pwd_must_modify: true,
        org_relations: vec![],
        settings: TenantSettings::default(),
        now: NOW,
    };
    given_no_events::<User>()
        .when(command, &FakeHasher)
        .then_expect_error(UserError::ExtensionInvalid("deep".into()));
}

#[test]
fn extension_values_are_bounded() {
    let long = serde_json::json!({ "note": "x".repeat(1025) });
    let command = UserCommand::Create {
        user_id: "u1".into(),
        input: UserInput {
            extension: long.as_object().cloned(),
            ..input(BASIC)
        },
        password: None,
        pwd_must_modify: true,
        org_relations: vec![],
        settings: TenantSettings::default(),
        now: NOW,
    };
    given_no_events::<User>()
        .when(command, &FakeHasher)
        .then_expect_error(UserError::ExtensionInvalid("note".into()));
}

#[test]
fn a_password_that_breaks_the_policy_is_refused() {
    given_no_events::<User>()
        .when(create_command(BASIC, Some("short")), &FakeHasher)
        .then_expect_error(UserError::Password(PasswordViolation::Length(8, 128)));
}

#[test]
fn organisation_relations_need_one_primary_and_at_most_nine_secondary() {
    let with = |relations: Vec<OrgRelation>| UserCommand::Create {
        user_id: "u1".into(),
        input: input(BASIC),
        password: None,
        pwd_must_modify: true,
        org_relations: relations,
        settings: TenantSettings::default(),
        now: NOW,
    };
    given_no_events::<User>()
        .when(with(vec![secondary("o1")]), &FakeHasher)
        .then_expect_error(UserError::InvalidOrgRelations);
    given_no_events::<User>()
        .when(with(vec![primary("o1"), primary("o2")]), &FakeHasher)
        .then_expect_error(UserError::InvalidOrgRelations);
    let mut ten = vec![primary("p")];
    ten.extend((0..10).map(|i| secondary(&format!("s{i}"))));
    given_no_events::<User>()
        .when(with(ten), &FakeHasher)
        .then_expect_error(UserError::InvalidOrgRelations);
    let mut nine = vec![primary("p")];
    nine.extend((0..9).map(|i| secondary(&format!("s{i}"))));
    given_no_events::<User>()
        .when(with(nine), &FakeHasher)
        .decision();
}

#[test]
fn updating_changes_only_given_attributes_and_moves_claims() {
    let command = UserCommand::Update {
        input: input(&[
            (UserField::Mobile, "13800138000"),
            (UserField::DisplayName, ""),
        ]),
        pwd_must_modify: None,
        org_relations: None,
        settings: TenantSettings::default(),
        now: NOW + 1,
    };
    let decision = given::<User>(&[created(None)])
        .when(command, &FakeHasher)
        .then_expect_events(&[UserEvent::UserUpdated {
            user_id: "u1".into(),
            org_relations: vec![primary("o1")],
            pwd_must_modify: true,
            changed: vec!["mobile".into()],
            updated_at: NOW + 1,
            personal: UserProfile {
                mobile: Some("13800138000".into()),
                ..profile()
            },
            claimed: vec!["user.user_name".into(), "user.mobile".into()],
            account: Default::default(),
        }]);
    assert_eq!(decision.claims, [Claim::new("user.mobile", "13800138000")]);
    assert_eq!(
        decision.releases,
        [Claim::new("user.mobile", "12345678901")]
    );
}

#[test]
fn an_update_names_what_changed_by_canonical_names() {
    let command = UserCommand::Update {
        input: input(&[
            (UserField::Nickname, "zs"),
            (UserField::DisplayName, "Zhang San"),
            (UserField::CountryOrRegion, "CN"),
        ]),
        pwd_must_modify: Some(false),
        org_relations: Some(vec![primary("o2")]),
        settings: TenantSettings::default(),
        now: NOW + 1,
    };
    let decision = given::<User>(&[created(None)])
        .when(command, &FakeHasher)
        .decision();
    let UserEvent::UserUpdated {
        changed, personal, ..
    } = &decision.events[0]
    else {
        panic!("an update");
    };
    assert_eq!(
        changed,
        &[
            "nickname",
            "display_name",
            "country_or_region",
            "org_relations",
            "pwd_must_modify"
        ]
    );
    let stored = serde_json::to_value(personal).unwrap();
    assert_eq!(
        (&stored["nickname"], &stored["display_name"]),
        (&serde_json::json!("zs"), &serde_json::json!("Zhang San"))
    );
    assert!(stored.get("attr_nick_name").is_none() && stored.get("name").is_none());
}

#[test]
fn an_update_that_changes_nothing_records_nothing() {
    let command = UserCommand::Update {
        input: input(&[(UserField::Username, "zhangsan")]),
        pwd_must_modify: Some(true),
        org_relations: Some(vec![primary("o1")]),
        settings: TenantSettings::default(),
        now: NOW,
    };
    given::<User>(&[created(None)])
        .when(command, &FakeHasher)
        .then_expect_events(&[]);
}

#[test]
fn commands_on_a_missing_or_deleted_user_are_refused() {
    given_no_events::<User>()
        .when(UserCommand::Enable { now: NOW }, &FakeHasher)
        .then_expect_error(UserError::NotFound);
    let deleted = UserEvent::UserDeleted {
        user_id: "u1".into(),
        deleted_at: NOW,
    };
    given::<User>(&[created(None), deleted])
        .when(UserCommand::Disable { now: NOW }, &FakeHasher)
        .then_expect_error(UserError::NotFound);
}

#[test]
fn disabling_and_enabling_record_only_real_changes() {
    let disabled = UserEvent::UserDisabled {
        user_id: "u1".into(),
        at: NOW,
    };
    given::<User>(&[created(None)])
        .when(UserCommand::Disable { now: NOW }, &FakeHasher)
        .then_expect_events(std::slice::from_ref(&disabled));
    given::<User>(&[created(None), disabled.clone()])
        .when(UserCommand::Disable { now: NOW }, &FakeHasher)
        .then_expect_events(&[]);
    given::<User>(&[created(None), disabled])
        .when(UserCommand::Enable { now: NOW }, &FakeHasher)
        .then_expect_events(&[UserEvent::UserEnabled {
            user_id: "u1".into(),
            at: NOW,
        }]);
    given::<User>(&[created(None)])
        .when(UserCommand::Enable { now: NOW }, &FakeHasher)
        .then_expect_events(&[]);
}

#[test]
fn a_user_who_left_is_disabled_until_enabled_or_disabled_again() {
    let left = UserEvent::UserLeft {
        user_id: "u1".into(),
        at: NOW,
    };
    given::<User>(&[created(None)])
        .when(UserCommand::Leave { now: NOW }, &FakeHasher)
        .then_expect_events(std::slice::from_ref(&left));
    given::<User>(&[created(None), left.clone()])
        .when(UserCommand::Leave { now: NOW }, &FakeHasher)
        .then_expect_events(&[]);
    // Already unable to sign in: a plain disable records nothing ...
    given::<User>(&[created(None), left.clone()])
        .when(UserCommand::Disable { now: NOW }, &FakeHasher)
        .then_expect_events(&[]);
    // ... and enabling brings the user back.
    given::<User>(&[created(None), left.clone()])
        .when(UserCommand::Enable { now: NOW }, &FakeHasher)
        .then_expect_events(&[UserEvent::UserEnabled {
            user_id: "u1".into(),
            at: NOW,
        }]);
    let user = User::from_events(&[created(None), left]);
    assert!(user.left && user.disabled);
}

fn revise(
    fields: &[(UserField, &str)],
    account: AccountDetails,
    password: Option<&str>,
    state: Option<AccountState>,
) -> UserCommand {
    UserCommand::Revise {
        input: UserInput {
            account,
            ..input(fields)
        },
        org_relations: None,
        password: password.map(str::to_string),
        state,
        settings: TenantSettings::default(),
        now: NOW,
    }
}

#[test]
fn a_revision_writes_its_update_password_and_state_together_or_not_at_all() {
    let account = AccountDetails {
        external_id: Some("ext-1".into()),
        expires_at: Some(NOW + 1),
        ..Default::default()
    };
    let decision = User::from_events(&[created(None)])
        .decide(
            revise(
                &[(UserField::DisplayName, "张三")],
                account.clone(),
                Some("New#5678"),
                Some(AccountState::Left),
            ),
            &FakeHasher,
        )
        .unwrap();
    let types: Vec<&str> = decision.events.iter().map(|e| e.event_type()).collect();
    assert_eq!(
        types,
        ["user.updated", "user.password_changed", "user.left"]
    );
    let UserEvent::UserUpdated {
        changed,
        account: after,
        ..
    } = &decision.events[0]
    else {
        panic!("an update first");
    };
    assert_eq!(after, &account);
    assert_eq!(changed, &["display_name", "external_id", "expires_at"]);
    // A refused password refuses the whole revision.
    given::<User>(&[created(None)])
        .when(
            revise(
                &[(UserField::DisplayName, "张三")],
                account,
                Some("12345678"),
                None,
            ),
            &FakeHasher,
        )
        .then_expect_error(UserError::Password(PasswordViolation::TooSimple));
    // Nothing new: nothing written.
    given::<User>(&[created(None)])
        .when(
            revise(
                &[],
                AccountDetails::default(),
                None,
                Some(AccountState::Active),
            ),
            &FakeHasher,
        )
        .then_expect_events(&[]);
}

fn change(password: Option<&str>) -> UserCommand {
    UserCommand::ChangePassword {
        password: password.map(str::to_string),
        pwd_must_modify: false,
        settings: TenantSettings::default(),
        now: NOW,
    }
}

#[test]
fn an_administrator_resets_a_password_within_the_policy() {
    given::<User>(&[created(None)])
        .when(change(Some("New#5678")), &FakeHasher)
        .then_expect_events(&[UserEvent::PasswordChanged {
            user_id: "u1".into(),
            password_hash: "fake$New#5678".into(),
            pwd_must_modify: false,
            old_password_verified: false,
            changed_at: NOW,
        }]);
    given::<User>(&[created(None)])
        .when(change(None), &FakeHasher)
        .then_expect_error(UserError::Password(PasswordViolation::Required));
    given::<User>(&[created(None)])
        .when(change(Some("12345678")), &FakeHasher)
        .then_expect_error(UserError::Password(PasswordViolation::TooSimple));
}

#[test]
fn a_recent_password_cannot_be_reused() {
    given::<User>(&[created(Some("fake$Old@1234"))])
        .when(change(Some("Old@1234")), &FakeHasher)
        .then_expect_error(UserError::Password(PasswordViolation::ReusedFromHistory));
}

fn verified(old: Option<&str>, new: Option<&str>) -> UserCommand {
    UserCommand::ChangePasswordVerified {
        old_password: old.map(str::to_string),
        password: new.map(str::to_string),
        settings: TenantSettings::default(),
        now: NOW,
    }
}

#[test]
fn changing_a_password_with_the_old_one_checks_it() {
    let history = [created(Some("fake$Old@1234"))];
    given::<User>(&history)
        .when(verified(Some("Old@1234"), Some("New#5678")), &FakeHasher)
        .then_expect_events(&[UserEvent::PasswordChanged {
            user_id: "u1".into(),
            password_hash: "fake$New#5678".into(),
            pwd_must_modify: false,
            old_password_verified: true,
            changed_at: NOW,
        }]);
    given::<User>(&history)
        .when(verified(None, Some("New#5678")), &FakeHasher)
        .then_expect_error(UserError::OldPasswordRequired);
    given::<User>(&history)
        .when(verified(Some("Old@1234"), None), &FakeHasher)
        .then_expect_error(UserError::NewPasswordRequired);
    given::<User>(&history)
        .when(verified(Some("Old@1234"), Some("Old@1234")), &FakeHasher)
        .then_expect_error(UserError::SamePassword);
    given::<User>(&history)
        .when(verified(Some("Wrong@123"), Some("New#5678")), &FakeHasher)
        .then_expect_error(UserError::OldPasswordIncorrect);
    given::<User>(&history)
        .when(verified(Some("Old@1234"), Some("abc")), &FakeHasher)
        .then_expect_error(UserError::Password(PasswordViolation::Length(8, 128)));
}

#[test]
fn deleting_a_user_releases_its_claims() {
    let decision = given::<User>(&[created(None)])
        .when(UserCommand::Delete { now: NOW }, &FakeHasher)
        .then_expect_events(&[UserEvent::UserDeleted {
            user_id: "u1".into(),
            deleted_at: NOW,
        }]);
    assert_eq!(
        claim_kinds(&decision.releases),
        ["user.user_name", "user.mobile"]
    );
}

#[test]
fn claims_follow_what_the_user_holds_when_the_rules_change() {
    let with_email = UserEvent::UserCreated {
        user_id: "u1".into(),
        org_relations: vec![],
        pwd_must_modify: true,
        password_hash: None,
        created_at: NOW,
        personal: UserProfile {
            email: Some("x@example.com".into()),
            ..profile()
        },
        claimed: vec![
            "user.user_name".into(),
            "user.mobile".into(),
            "user.email".into(),
        ],
        account: Default::default(),
    };
    // The tenant has since made email non-unique: the held email claim is released, not re-taken.
    let mut settings = TenantSettings::default();
    settings.user_attributes.0.remove("email");
    let command = UserCommand::Update {
        input: input(&[(UserField::Email, "y@example.com")]),
        pwd_must_modify: None,
        org_relations: None,
        settings,
        now: NOW,
    };
    let decision = given::<User>(std::slice::from_ref(&with_email))
        .when(command, &FakeHasher)
        .decision();
    assert_eq!(
        decision.releases,
        [Claim::new("user.email", "x@example.com")]
    );
    assert!(decision.claims.is_empty());
    match &decision.events[0] {
        UserEvent::UserUpdated { claimed, .. } => {
            assert_eq!(claimed, &[ClaimKind::UserName, ClaimKind::UserMobile])
        }
        other => panic!("{other:?}"),
    }
    // Deleting releases exactly what is held.
    let decision = given::<User>(&[with_email])
        .when(UserCommand::Delete { now: NOW }, &FakeHasher)
        .decision();
    assert_eq!(
        claim_kinds(&decision.releases),
        ["user.user_name", "user.mobile", "user.email"]
    );
}

#[test]
fn an_unrelated_update_does_not_claim_an_unchanged_value_the_user_never_held() {
    // Created while email was not unique: no email claim held.
    let created = UserEvent::UserCreated {
        user_id: "u1".into(),
        org_relations: vec![],
        pwd_must_modify: true,
        password_hash: None,
        created_at: NOW,
        personal: UserProfile {
            email: Some("x@example.com".into()),
            ..profile()
        },
        claimed: vec!["user.user_name".into(), "user.mobile".into()],
        account: Default::default(),
    };
    let command = |fields: &[(UserField, &str)]| UserCommand::Update {
        input: input(fields),
        pwd_must_modify: None,
        org_relations: None,
        settings: TenantSettings::default(),
        now: NOW,
    };
    let rename = given::<User>(std::slice::from_ref(&created))
        .when(
            command(&[(UserField::DisplayName, "Zhang San")]),
            &FakeHasher,
        )
        .decision();
    assert!(rename.claims.is_empty() && rename.releases.is_empty());
    // Changing the email itself claims it under today's rule.
    let new_email = given::<User>(&[created])
        .when(command(&[(UserField::Email, "y@example.com")]), &FakeHasher)
        .decision();
    assert_eq!(
        new_email.claims,
        [Claim::new("user.email", "y@example.com")]
    );
}

#[test]
fn a_tenant_pattern_narrows_an_attribute() {
    let mut settings = TenantSettings::default();
    settings.user_attributes.0.insert(
        "employee_id".into(),
        AttributeRule {
            required: false,
            unique: true,
            pattern: Some(r"E\d{3}".into()),
        },
    );
    let command = |employee_id: &str| UserCommand::Create {
        user_id: "u1".into(),
        input: input(&[
            (UserField::Username, "zhangsan"),
            (UserField::Mobile, "12345678901"),
            (UserField::EmployeeId, employee_id),
        ]),
        password: None,
        pwd_must_modify: true,
        org_relations: vec![],
        settings: settings.clone(),
        now: NOW,
    };
    given_no_events::<User>()
        .when(command("X12"), &FakeHasher)
        .then_expect_error(UserError::Invalid(UserField::EmployeeId));
    given_no_events::<User>()
        .when(command("E1234"), &FakeHasher)
        .then_expect_error(UserError::Invalid(UserField::EmployeeId));
    given_no_events::<User>()
        .when(command("E123"), &FakeHasher)
        .decision();
}

fn erase(accounts: &[&str]) -> UserCommand {
    UserCommand::Erase {
        accounts: accounts.iter().map(|a| a.to_string()).collect(),
        reason: ErasureReason::Request,
        now: NOW,
    }
}

fn erased(accounts: &[&str]) -> UserEvent {
    UserEvent::UserErased {
        user_id: "u1".into(),
        erased_at: NOW,
        reason: ErasureReason::Request,
        account_ids: accounts.iter().map(|a| a.to_string()).collect(),
    }
}

#[test]
fn erasing_a_live_user_deletes_it_and_forgets_its_keys_with_the_events() {
    let deleted = UserEvent::UserDeleted {
        user_id: "u1".into(),
        deleted_at: NOW,
    };
    let decision = given::<User>(&[created(None)])
        .when(erase(&["a1"]), &FakeHasher)
        .then_expect_events(&[deleted, erased(&["a1"])]);
    assert_eq!(
        decision.forget,
        [
            crate::Forget::Subject("u1".into()),
            crate::Forget::Subject("a1".into())
        ]
    );
    assert!(!decision.releases.is_empty(), "its claims are released");
}

#[test]
fn a_deleted_user_is_erased_without_a_second_deletion() {
    let deleted = UserEvent::UserDeleted {
        user_id: "u1".into(),
        deleted_at: NOW,
    };
    given::<User>(&[created(None), deleted])
        .when(erase(&[]), &FakeHasher)
        .then_expect_events(&[erased(&[])]);
}

#[test]
fn an_erased_user_cannot_be_erased_again_or_changed() {
    let history = [created(None), erased(&[])];
    given::<User>(&history)
        .when(erase(&[]), &FakeHasher)
        .then_expect_error(UserError::AlreadyErased);
    given::<User>(&history)
        .when(UserCommand::Enable { now: NOW }, &FakeHasher)
        .then_expect_error(UserError::NotFound);
    given_no_events::<User>()
        .when(erase(&[]), &FakeHasher)
        .then_expect_error(UserError::NotFound);
}
