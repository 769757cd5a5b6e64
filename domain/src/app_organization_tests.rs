use super::*;
use crate::testing::{claim_kinds, given, given_no_events};

fn parent(id: &str, exists: bool, ancestors: &[&str]) -> Option<ParentFacts> {
    Some(ParentFacts {
        id: id.into(),
        exists,
        ancestors: ancestors.iter().map(|a| a.to_string()).collect(),
    })
}

fn create(code: &str, name: &str, parent: Option<ParentFacts>) -> AppOrganizationCommand {
    AppOrganizationCommand::Create {
        org_id: "o2".into(),
        application_id: "a1".into(),
        code: code.into(),
        name: name.into(),
        parent,
        now: 1,
    }
}

fn created() -> AppOrganizationEvent {
    AppOrganizationEvent::AppOrgCreated {
        org_id: "o2".into(),
        application_id: "a1".into(),
        code: "10001".into(),
        name: "开发组".into(),
        parent_id: Some("o1".into()),
        created_at: 1,
    }
}

#[test]
fn an_application_organisation_claims_its_code_and_sibling_name_in_the_application() {
    let decision = given_no_events::<AppOrganization>()
        .when(create("10001", "开发组", parent("o1", true, &[])), &())
        .then_expect_events(&[created()]);
    assert_eq!(
        claim_kinds(&decision.claims),
        ["app_organization.code", "app_organization.name"]
    );
    assert_eq!(decision.claims[0].value, "a1/10001");
}

#[test]
fn creation_refuses_bad_input() {
    let cases = [
        (create("", "n", None), AppOrganizationError::CodeRequired),
        (
            create("bad code", "n", None),
            AppOrganizationError::CodeInvalid,
        ),
        (create("c", "", None), AppOrganizationError::NameRequired),
        (
            create("c", "bad/name", None),
            AppOrganizationError::NameInvalid,
        ),
        (
            create("c", "n", parent("nope", false, &[])),
            AppOrganizationError::ParentNotFound,
        ),
    ];
    for (command, error) in cases {
        given_no_events::<AppOrganization>()
            .when(command, &())
            .then_expect_error(error);
    }
    given::<AppOrganization>(&[created()])
        .when(create("c", "n", None), &())
        .then_expect_error(AppOrganizationError::AlreadyExists);
}

#[test]
fn updates_rename_and_move_but_never_under_itself() {
    let update = |name: Option<&str>, parent| AppOrganizationCommand::Update {
        name: name.map(str::to_string),
        parent,
        now: 2,
    };
    let decision = given::<AppOrganization>(&[created()])
        .when(update(Some("测试组"), None), &())
        .then_expect_events(&[AppOrganizationEvent::AppOrgUpdated {
            org_id: "o2".into(),
            application_id: "a1".into(),
            name: "测试组".into(),
            parent_id: Some("o1".into()),
            changed: vec!["name".into()],
            updated_at: 2,
        }]);
    assert_eq!(decision.releases, [name_claim("a1", Some("o1"), "开发组")]);
    given::<AppOrganization>(&[created()])
        .when(update(Some(""), None), &())
        .then_expect_events(&[]);
    given::<AppOrganization>(&[created()])
        .when(update(None, parent("o2", true, &[])), &())
        .then_expect_error(AppOrganizationError::ParentIsSelf);
    given::<AppOrganization>(&[created()])
        .when(update(None, parent("o9", true, &["o2"])), &())
        .then_expect_error(AppOrganizationError::ParentIsSelf);
    given::<AppOrganization>(&[created()])
        .when(update(None, parent("o9", false, &[])), &())
        .then_expect_error(AppOrganizationError::ParentNotFound);
    given_no_events::<AppOrganization>()
        .when(update(Some("x"), None), &())
        .then_expect_error(AppOrganizationError::NotFound);
}

#[test]
fn an_application_organisation_with_children_or_accounts_cannot_be_deleted() {
    let delete = |has_children, has_accounts| AppOrganizationCommand::Delete {
        has_children,
        has_accounts,
        now: 3,
    };
    for (children, accounts) in [(true, false), (false, true)] {
        given::<AppOrganization>(&[created()])
            .when(delete(children, accounts), &())
            .then_expect_error(AppOrganizationError::CannotDelete);
    }
    let decision = given::<AppOrganization>(&[created()])
        .when(delete(false, false), &())
        .decision();
    assert_eq!(decision.releases.len(), 2);
}
