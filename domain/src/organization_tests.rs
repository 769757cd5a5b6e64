use super::*;
use crate::aggregate::from_stored;
use crate::testing::{claim_kinds, given, given_no_events};
use crate::upcast::{registered, upcast};

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
        details: OrgDetails::default(),
        policy: OrganizationPolicy::default(),
        now: NOW,
    }
}

const UNIQUE_NAMES: OrganizationPolicy = OrganizationPolicy {
    unique_sibling_names: true,
    grants_reach_sub_organizations: false,
};
const DUPLICATE_NAMES: OrganizationPolicy = OrganizationPolicy {
    unique_sibling_names: false,
    grants_reach_sub_organizations: false,
};

fn created() -> OrganizationEvent {
    OrganizationEvent::OrganizationCreated {
        org_id: "o2".into(),
        code: "1000001".into(),
        name: "子部门".into(),
        parent_id: Some("o1".into()),
        category: "department".into(),
        created_at: NOW,
        name_claimed: true,
        details: OrgDetails::default(),
    }
}

/// The organisation created while sibling names could repeat: it holds no name claim.
fn created_unclaimed() -> OrganizationEvent {
    let OrganizationEvent::OrganizationCreated {
        org_id,
        code,
        name,
        parent_id,
        category,
        created_at,
        ..
    } = created()
    else {
        unreachable!()
    };
    OrganizationEvent::OrganizationCreated {
        org_id,
        code,
        name,
        parent_id,
        category,
        created_at,
        name_claimed: false,
        details: OrgDetails::default(),
    }
}

fn update(parent: Option<ParentFacts>) -> OrganizationCommand {
    update_under(parent, None, UNIQUE_NAMES)
}

fn update_under(
    parent: Option<ParentFacts>,
    category: Option<&str>,
    policy: OrganizationPolicy,
) -> OrganizationCommand {
    OrganizationCommand::Update {
        code: None,
        name: None,
        parent,
        to_root: false,
        category: category.map(str::to_string),
        details: OrgDetails::default(),
        policy,
        now: NOW,
    }
}

#[test]
fn creating_an_organisation_claims_code_and_sibling_name() {
    let decision = given_no_events::<Organization>()
        .when(
            create(
                "1000001",
                "子部门",
                Some(parent("o1", true, &[])),
                Some("department"),
            ),
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
            create(" padded", "n", None, None),
            OrganizationError::InvalidCode,
        ),
        (
            create(&"c".repeat(129), "n", None, None),
            OrganizationError::InvalidCode,
        ),
        (
            create("c", "bad/name", None, None),
            OrganizationError::InvalidName,
        ),
        (
            create("c", "n", None, Some("a\u{7}b")),
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
fn codes_and_categories_are_any_plain_text_in_the_domain() {
    // OneAccess narrows both in its input validation; Inspur codes and Hainan org types differ.
    let decision = given_no_events::<Organization>()
        .when(create("研发 部", "n", None, Some("GOV_UNIT")), &())
        .decision();
    let OrganizationEvent::OrganizationCreated { code, category, .. } = &decision.events[0] else {
        panic!("created");
    };
    assert_eq!((code.as_str(), category.as_str()), ("研发 部", "GOV_UNIT"));
    let decision = given_no_events::<Organization>()
        .when(create("c", "n", None, None), &())
        .decision();
    let OrganizationEvent::OrganizationCreated { category, .. } = &decision.events[0] else {
        panic!("created");
    };
    assert_eq!(category, "", "the dialect supplies its default category");
}

#[test]
fn with_duplicate_sibling_names_allowed_only_the_code_is_claimed() {
    let command = OrganizationCommand::Create {
        org_id: "o2".into(),
        code: "1000001".into(),
        name: "子部门".into(),
        parent: Some(parent("o1", true, &[])),
        category: Some("department".into()),
        details: OrgDetails::default(),
        policy: DUPLICATE_NAMES,
        now: NOW,
    };
    let decision = given_no_events::<Organization>()
        .when(command, &())
        .then_expect_events(&[created_unclaimed()]);
    assert_eq!(claim_kinds(&decision.claims), ["organization.code"]);
    let delete = OrganizationCommand::Delete {
        has_children: false,
        has_members: false,
        now: NOW,
    };
    let decision = given::<Organization>(&[created_unclaimed()])
        .when(delete, &())
        .decision();
    assert_eq!(decision.releases, [code_claim("1000001")]);
}

#[test]
fn the_sibling_name_claim_follows_the_policy_in_force_at_each_update() {
    // Policy switched off: the next update releases the held claim, even one that only
    // changes the category.
    let decision = given::<Organization>(&[created()])
        .when(update_under(None, Some("company"), DUPLICATE_NAMES), &())
        .decision();
    assert_eq!(decision.releases, [name_claim(Some("o1"), "子部门")]);
    assert!(decision.claims.is_empty());
    assert!(matches!(
        decision.events[0],
        OrganizationEvent::OrganizationUpdated {
            name_claimed: false,
            ..
        }
    ));
    // Policy switched on: an unmoved duplicate stays unheld rather than failing the update…
    let decision = given::<Organization>(&[created_unclaimed()])
        .when(update_under(None, Some("company"), UNIQUE_NAMES), &())
        .decision();
    assert!(decision.claims.is_empty() && decision.releases.is_empty());
    // …and a move or rename claims the new place.
    let decision = given::<Organization>(&[created_unclaimed()])
        .when(update(Some(parent("o3", true, &[]))), &())
        .decision();
    assert!(decision.releases.is_empty());
    assert_eq!(decision.claims, [name_claim(Some("o3"), "子部门")]);
    // Nothing changes: nothing is claimed or released, whatever the policy.
    let decision = given::<Organization>(&[created()])
        .when(update_under(None, None, DUPLICATE_NAMES), &())
        .decision();
    assert!(decision.events.is_empty() && decision.releases.is_empty());
}

#[test]
fn a_v1_organization_event_is_read_as_holding_its_name_claim() {
    for event_type in ["organization.created", "organization.updated"] {
        let v1 = serde_json::json!({
            "org_id": "o2", "code": "1000001", "name": "子部门", "parent_id": "o1",
            "category": "department", "created_at": NOW, "updated_at": NOW, "changed": ["name"]
        });
        let (version, payload) = upcast(&registered(), event_type, 1, v1);
        assert_eq!(version, 2);
        let event: OrganizationEvent = from_stored(event_type, payload).unwrap();
        let org = Organization::from_events([&event]);
        assert!(org.name_claimed, "{event_type}");
        let decision = given::<Organization>(&[event])
            .when(
                OrganizationCommand::Delete {
                    has_children: false,
                    has_members: false,
                    now: NOW,
                },
                &(),
            )
            .decision();
        assert_eq!(
            decision.releases,
            [code_claim("1000001"), name_claim(Some("o1"), "子部门")]
        );
    }
}

#[test]
fn updating_keeps_what_is_empty_and_moves_claims() {
    let command = OrganizationCommand::Update {
        code: Some("TestOrg".into()),
        name: Some(String::new()),
        parent: None,
        to_root: false,
        category: Some("company".into()),
        details: OrgDetails::default(),
        policy: UNIQUE_NAMES,
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
            name_claimed: true,
            details: OrgDetails::default(),
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

#[test]
fn details_are_kept_the_external_id_is_set_once_and_the_status_switches() {
    let details = OrgDetails {
        external_id: Some("ext-1".into()),
        order: Some(3),
        description: Some("head office".into()),
        ..OrgDetails::default()
    };
    let create = OrganizationCommand::Create {
        org_id: "o9".into(),
        code: "HQ".into(),
        name: "HQ".into(),
        parent: None,
        category: None,
        details: details.clone(),
        policy: OrganizationPolicy::default(),
        now: NOW,
    };
    let created = Organization::default().decide(create, &()).unwrap().events;
    let org = Organization::from_events(created.iter());
    assert_eq!(org.details, details);
    let change = OrgDetails {
        external_id: Some("other".into()),
        order: Some(1),
        description: None,
        ..OrgDetails::default()
    };
    let update = OrganizationCommand::Update {
        code: None,
        name: None,
        parent: None,
        to_root: false,
        category: None,
        details: change,
        policy: OrganizationPolicy::default(),
        now: NOW + 1,
    };
    let updated = org.decide(update, &()).unwrap().events;
    let mut all = created.clone();
    all.extend(updated);
    let org = Organization::from_events(all.iter());
    assert_eq!(
        org.details.external_id.as_deref(),
        Some("ext-1"),
        "set once"
    );
    assert_eq!(org.details.order, Some(1));
    assert_eq!(org.details.description.as_deref(), Some("head office"));
    let disable = OrganizationCommand::SetDisabled {
        disabled: true,
        now: NOW + 2,
    };
    let events = org.decide(disable.clone(), &()).unwrap().events;
    all.extend(events);
    let org = Organization::from_events(all.iter());
    assert!(org.disabled);
    assert!(
        org.decide(disable, &()).unwrap().events.is_empty(),
        "no change, no event"
    );
}
