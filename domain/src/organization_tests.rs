use super::*;
use crate::testing::{claim_kinds, given, given_no_events};

const NOW: i64 = 1_700_000_000_000;

fn parent(id: &str, exists: bool, ancestors: &[&str]) -> ParentFacts {
    ParentFacts {
        id: id.into(),
        exists,
        ancestors: ancestors.iter().map(|a| a.to_string()).collect(),
    }
}

fn create(
    code: &str,
    name: &str,
    parent: Option<ParentFacts>,
    category: Option<&str>,
) -> OrganizationCommand {
    OrganizationCommand::Create {
        org_id: "o2".into(),
        code: code.into(),
        name: name.into(),
        parent,
        category: category.map(str::to_string),
        now: NOW,
    }
}

fn created() -> OrganizationEvent {
    OrganizationEvent::OrganizationCreated {
        org_id: "o2".into(),
        code: "1000001".into(),
        name: "子部门".into(),
        parent_id: Some("o1".into()),
        category: "department".into(),
        created_at: NOW,
    }
}

fn update(parent: Option<ParentFacts>) -> OrganizationCommand {
    OrganizationCommand::Update {
        code: None,
        name: None,
        parent,
        category: None,
        now: NOW,
    }
}

#[test]
fn creating_an_organisation_defaults_the_category_and_claims_code_and_sibling_name() {
    let decision = given_no_events::<Organization>()
        .when(
            create("1000001", "子部门", Some(parent("o1", true, &[])), None),
            &(),
        )
        .then_expect_events(&[created()]);
    assert_eq!(
        claim_kinds(&decision.claims),
        ["organization.code", "organization.name"]
    );
    assert_eq!(decision.claims[1].value, "o1/子部门");
}

#[test]
fn creating_refuses_bad_input() {
    let cases = [
        (create("", "n", None, None), OrganizationError::CodeRequired),
        (
            create("c", " ", None, None),
            OrganizationError::NameRequired,
        ),
        (
            create("bad code", "n", None, None),
            OrganizationError::InvalidCode,
        ),
        (
            create("c", "bad/name", None, None),
            OrganizationError::InvalidName,
        ),
        (
            create("c", "n", None, Some("team")),
            OrganizationError::InvalidCategory,
        ),
        (
            create("c", "n", Some(parent("nope", false, &[])), None),
            OrganizationError::ParentNotFound,
        ),
    ];
    for (command, error) in cases {
        given_no_events::<Organization>()
            .when(command, &())
            .then_expect_error(error);
    }
    given::<Organization>(&[created()])
        .when(create("c", "n", None, None), &())
        .then_expect_error(OrganizationError::AlreadyExists);
}

#[test]
fn updating_keeps_what_is_empty_and_moves_claims() {
    let command = OrganizationCommand::Update {
        code: Some("TestOrg".into()),
        name: Some(String::new()),
        parent: None,
        category: Some("company".into()),
        now: NOW + 1,
    };
    let decision = given::<Organization>(&[created()])
        .when(command, &())
        .then_expect_events(&[OrganizationEvent::OrganizationUpdated {
            org_id: "o2".into(),
            code: "TestOrg".into(),
            name: "子部门".into(),
            parent_id: Some("o1".into()),
            category: "company".into(),
            changed: vec!["code".into(), "category".into()],
            updated_at: NOW + 1,
        }]);
    assert_eq!(decision.releases, [code_claim("1000001")]);
    assert_eq!(decision.claims, [code_claim("TestOrg")]);
}

#[test]
fn an_organisation_cannot_become_its_own_parent_or_descendant() {
    given::<Organization>(&[created()])
        .when(update(Some(parent("o2", true, &["o1"]))), &())
        .then_expect_error(OrganizationError::ParentIsSelf);
    given::<Organization>(&[created()])
        .when(update(Some(parent("o9", true, &["o1", "o2"]))), &())
        .then_expect_error(OrganizationError::ParentIsSelf);
    given::<Organization>(&[created()])
        .when(update(Some(parent("o9", false, &[]))), &())
        .then_expect_error(OrganizationError::ParentNotFound);
}

#[test]
fn moving_an_organisation_moves_its_sibling_name_claim() {
    let decision = given::<Organization>(&[created()])
        .when(update(Some(parent("o3", true, &[]))), &())
        .decision();
    assert_eq!(decision.releases, [name_claim(Some("o1"), "子部门")]);
    assert_eq!(decision.claims, [name_claim(Some("o3"), "子部门")]);
}

#[test]
fn an_organisation_with_children_or_members_cannot_be_deleted() {
    for (has_children, has_members) in [(true, false), (false, true)] {
        given::<Organization>(&[created()])
            .when(
                OrganizationCommand::Delete {
                    has_children,
                    has_members,
                    now: NOW,
                },
                &(),
            )
            .then_expect_error(OrganizationError::CannotDelete);
    }
    let decision = given::<Organization>(&[created()])
        .when(
            OrganizationCommand::Delete {
                has_children: false,
                has_members: false,
                now: NOW,
            },
            &(),
        )
        .then_expect_events(&[OrganizationEvent::OrganizationDeleted {
            org_id: "o2".into(),
            deleted_at: NOW,
        }]);
    assert_eq!(decision.releases.len(), 2);
    let deleted = OrganizationEvent::OrganizationDeleted {
        org_id: "o2".into(),
        deleted_at: NOW,
    };
    given::<Organization>(&[created(), deleted])
        .when(update(None), &())
        .then_expect_error(OrganizationError::NotFound);
}
