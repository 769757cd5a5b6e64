use super::*;
use crate::app_authorization::Remark;
use crate::testing::{given, given_no_events};

fn create(code: &str, name: Option<&str>) -> AppRoleCommand {
    AppRoleCommand::Create {
        role_id: "r1".into(),
        application_id: "a1".into(),
        code: code.into(),
        name: name.map(str::to_string),
        now: 1,
    }
}

fn created() -> AppRoleEvent {
    AppRoleEvent::RoleCreated {
        role_id: "r1".into(),
        application_id: "a1".into(),
        code: "admin1".into(),
        name: "管理员1".into(),
        created_at: 1,
        remark: None,
    }
}

fn added(ids: &[&str]) -> AppRoleEvent {
    AppRoleEvent::MembersAdded {
        role_id: "r1".into(),
        application_id: "a1".into(),
        account_ids: ids.iter().map(|s| s.to_string()).collect(),
        at: 2,
    }
}

#[test]
fn a_role_claims_its_code_in_the_application() {
    let decision = given_no_events::<AppRole>()
        .when(create("admin1", Some("管理员1")), &())
        .then_expect_events(&[created()]);
    assert_eq!(decision.claims, [code_claim("a1", "admin1")]);
}

#[test]
fn role_creation_and_renaming_refuse_bad_input() {
    let cases = [
        (create("", None), AppRoleError::CodeRequired),
        (create("bad code", None), AppRoleError::CodeInvalid),
        (create(&"c".repeat(51), None), AppRoleError::CodeInvalid),
        (
            create("ok", Some(&"n".repeat(33))),
            AppRoleError::NameInvalid,
        ),
    ];
    for (command, error) in cases {
        given_no_events::<AppRole>()
            .when(command, &())
            .then_expect_error(error);
    }
    given::<AppRole>(&[created()])
        .when(create("admin1", None), &())
        .then_expect_error(AppRoleError::AlreadyExists);
    given::<AppRole>(&[created()])
        .when(AppRoleCommand::Rename { name: None, now: 2 }, &())
        .then_expect_error(AppRoleError::NameRequired);
    given::<AppRole>(&[created()])
        .when(
            AppRoleCommand::Rename {
                name: Some("管理员2".into()),
                now: 2,
            },
            &(),
        )
        .then_expect_events(&[AppRoleEvent::RoleRenamed {
            role_id: "r1".into(),
            application_id: "a1".into(),
            name: "管理员2".into(),
            updated_at: 2,
        }]);
    given_no_events::<AppRole>()
        .when(
            AppRoleCommand::Rename {
                name: Some("x".into()),
                now: 2,
            },
            &(),
        )
        .then_expect_error(AppRoleError::NotFound);
}

#[test]
fn adding_members_is_idempotent_and_unknown_accounts_fail() {
    let role = AppRole::from_events(&[created(), added(&["c1"])]);
    let request = vec![
        ("c1".to_string(), true),
        ("c2".to_string(), true),
        ("zz".to_string(), false),
    ];
    let (outcome, new) = role.outcome_of_adding(&request);
    assert_eq!(outcome.success, ["c1", "c2"]);
    assert_eq!(outcome.fail, ["zz"]);
    assert_eq!(new, ["c2"]);
    given::<AppRole>(&[created(), added(&["c1"])])
        .when(
            AppRoleCommand::AddMembers {
                accounts: request,
                now: 2,
            },
            &(),
        )
        .then_expect_events(&[added(&["c2"])]);
    given::<AppRole>(&[created(), added(&["c1"])])
        .when(
            AppRoleCommand::AddMembers {
                accounts: vec![("c1".into(), true)],
                now: 2,
            },
            &(),
        )
        .then_expect_events(&[]);
    let too_many: Vec<(String, bool)> = (0..51).map(|i| (format!("c{i}"), true)).collect();
    given::<AppRole>(&[created()])
        .when(
            AppRoleCommand::AddMembers {
                accounts: too_many,
                now: 2,
            },
            &(),
        )
        .then_expect_error(AppRoleError::InvalidList);
    given::<AppRole>(&[created()])
        .when(
            AppRoleCommand::AddMembers {
                accounts: vec![],
                now: 2,
            },
            &(),
        )
        .then_expect_error(AppRoleError::InvalidList);
}

#[test]
fn removing_members_fails_non_members_and_a_role_with_members_is_not_deleted() {
    let history = [created(), added(&["c1", "c2"])];
    let role = AppRole::from_events(&history);
    let (outcome, removed) = role.outcome_of_removing(&[("c1".into(), true), ("c9".into(), false)]);
    assert_eq!(
        (outcome.success, outcome.fail, removed.clone()),
        (
            vec!["c1".to_string()],
            vec!["c9".to_string()],
            vec!["c1".to_string()]
        )
    );
    given::<AppRole>(&history)
        .when(
            AppRoleCommand::RemoveMembers {
                accounts: vec![("c1".into(), true), ("c9".into(), false)],
                now: 3,
            },
            &(),
        )
        .then_expect_events(&[AppRoleEvent::MembersRemoved {
            role_id: "r1".into(),
            application_id: "a1".into(),
            account_ids: vec!["c1".into()],
            at: 3,
        }]);
    given::<AppRole>(&history)
        .when(
            AppRoleCommand::Delete {
                has_members: true,
                now: 3,
            },
            &(),
        )
        .then_expect_error(AppRoleError::HasMembers);
    let decision = given::<AppRole>(&[created()])
        .when(
            AppRoleCommand::Delete {
                has_members: false,
                now: 3,
            },
            &(),
        )
        .decision();
    assert_eq!(decision.releases, [code_claim("a1", "admin1")]);
}

#[test]
fn a_deleted_account_is_no_member_to_remove_and_a_long_code_names_its_role() {
    // c2's account was deleted: the projection no longer lists it, so removal fails.
    let role = AppRole::from_events(&[created(), added(&["c1", "c2"])]);
    let (outcome, removed) = role.outcome_of_removing(&[("c2".into(), false)]);
    assert_eq!((outcome.fail, removed), (vec!["c2".to_string()], vec![]));
    let long = "c".repeat(40);
    let decision = given_no_events::<AppRole>()
        .when(create(&long, None), &())
        .decision();
    match &decision.events[0] {
        AppRoleEvent::RoleCreated { name, .. } => assert_eq!(name, &"c".repeat(32)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_role_carries_the_privileges_it_is_given() {
    let set = |ids: &[&str]| AppRoleCommand::SetPrivileges {
        privilege_ids: ids.iter().map(|s| s.to_string()).collect(),
        now: 4,
    };
    let given_privileges = AppRoleEvent::PrivilegesSet {
        role_id: "r1".into(),
        application_id: "a1".into(),
        privilege_ids: vec!["p1".into()],
        at: 4,
    };
    given::<AppRole>(&[created()])
        .when(set(&["p1"]), &())
        .then_expect_events(std::slice::from_ref(&given_privileges));
    given::<AppRole>(&[created(), given_privileges])
        .when(set(&["p1"]), &())
        .then_expect_events(&[]);
    given_no_events::<AppRole>()
        .when(set(&["p1"]), &())
        .then_expect_error(AppRoleError::NotFound);
}

fn created_with_remark(remark: Option<&str>) -> AppRoleEvent {
    AppRoleEvent::RoleCreated {
        role_id: "r1".into(),
        application_id: "a1".into(),
        code: "admin1".into(),
        name: "管理员1".into(),
        created_at: 1,
        remark: remark.map(str::to_string),
    }
}

fn configure(
    name: Option<&str>,
    code: Option<&str>,
    remark: Option<&str>,
    enabled: Option<bool>,
) -> AppRoleCommand {
    AppRoleCommand::Configure {
        name: name.map(str::to_string),
        code: code.map(str::to_string),
        remark: remark.map(|r| Remark::parse(r).unwrap()),
        enabled,
        now: 5,
    }
}

#[test]
fn a_role_created_before_remarks_reads_as_enabled_and_its_payload_is_unchanged() {
    let (event_type, payload) = crate::aggregate::to_stored(&created());
    assert_eq!(event_type, "app_role.created");
    assert_eq!(
        payload.to_string(),
        r#"{"role_id":"r1","application_id":"a1","code":"admin1","name":"管理员1","created_at":1}"#
    );
    let old: AppRoleEvent = crate::aggregate::from_stored(&event_type, payload).unwrap();
    let role = AppRole::from_events(&[old]);
    assert!(role.enabled);
    assert_eq!(role.remark, None);
}

#[test]
fn a_role_is_created_with_a_remark() {
    let decision = given_no_events::<AppRole>()
        .when(
            AppRoleCommand::CreateWithRemark {
                role_id: "r1".into(),
                application_id: "a1".into(),
                code: "admin1".into(),
                name: Some("管理员1".into()),
                remark: Remark::parse("备注").unwrap(),
                now: 1,
            },
            &(),
        )
        .then_expect_events(&[created_with_remark(Some("备注"))]);
    assert_eq!(decision.claims, [code_claim("a1", "admin1")]);
}

#[test]
fn configuring_a_role_moves_its_code_claim_and_keeps_absent_fields() {
    let decision = given::<AppRole>(&[created()])
        .when(configure(None, Some("admin2"), Some("r"), Some(false)), &())
        .then_expect_events(&[AppRoleEvent::RoleConfigured {
            role_id: "r1".into(),
            application_id: "a1".into(),
            code: "admin2".into(),
            name: "管理员1".into(),
            remark: Some("r".into()),
            enabled: false,
            updated_at: 5,
        }]);
    assert_eq!(decision.claims, [code_claim("a1", "admin2")]);
    assert_eq!(decision.releases, [code_claim("a1", "admin1")]);
    let role = AppRole::from_events(&[created(), decision.events[0].clone()]);
    assert_eq!((role.code.as_str(), role.enabled), ("admin2", false));

    // Same values: nothing to append, nothing claimed.
    let same = given::<AppRole>(&[created()])
        .when(
            configure(Some("管理员1"), Some("admin1"), None, Some(true)),
            &(),
        )
        .then_expect_events(&[]);
    assert!(same.claims.is_empty() && same.releases.is_empty());
    // A name-only change keeps the code's claim where it is.
    let renamed = given::<AppRole>(&[created()])
        .when(configure(Some("新名"), None, None, None), &())
        .decision();
    assert!(renamed.claims.is_empty() && renamed.releases.is_empty());
    // An empty remark clears it.
    let with_remark = created_with_remark(Some("old"));
    given::<AppRole>(&[with_remark])
        .when(configure(None, None, Some(""), None), &())
        .then_expect_events(&[AppRoleEvent::RoleConfigured {
            role_id: "r1".into(),
            application_id: "a1".into(),
            code: "admin1".into(),
            name: "管理员1".into(),
            remark: None,
            enabled: true,
            updated_at: 5,
        }]);
}

#[test]
fn configuring_refuses_bad_codes_and_names_and_unknown_roles() {
    given::<AppRole>(&[created()])
        .when(configure(None, Some("bad code"), None, None), &())
        .then_expect_error(AppRoleError::CodeInvalid);
    given::<AppRole>(&[created()])
        .when(configure(None, Some(""), None, None), &())
        .then_expect_error(AppRoleError::CodeRequired);
    given::<AppRole>(&[created()])
        .when(configure(Some(" "), None, None, None), &())
        .then_expect_error(AppRoleError::NameRequired);
    given_no_events::<AppRole>()
        .when(configure(Some("x"), None, None, None), &())
        .then_expect_error(AppRoleError::NotFound);
    let deleted = AppRoleEvent::RoleDeleted {
        role_id: "r1".into(),
        application_id: "a1".into(),
        deleted_at: 3,
    };
    given::<AppRole>(&[created(), deleted])
        .when(configure(Some("x"), None, None, None), &())
        .then_expect_error(AppRoleError::NotFound);
}
