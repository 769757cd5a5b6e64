use super::*;
use crate::testing::{given, given_no_events};

fn new(code: &str, parent: Option<&str>) -> NewPermission {
    NewPermission {
        code: code.into(),
        name: format!("{code} name"),
        parent_id: parent.map(str::to_string),
        permission_type: 1,
        enabled: true,
        order: 0,
        remark: None,
    }
}

fn add(id: &str, permission: NewPermission) -> AppAuthorizationCommand {
    AppAuthorizationCommand::AddPermission {
        application_id: "a1".into(),
        permission_id: id.into(),
        permission,
        now: 1,
    }
}

fn permission(id: &str, code: &str, parent: Option<&str>) -> Permission {
    Permission {
        permission_id: id.into(),
        code: code.into(),
        name: format!("{code} name"),
        parent_id: parent.map(str::to_string),
        permission_type: PermissionType::Menu,
        enabled: true,
        order: 0,
        remark: None,
    }
}

fn added(id: &str, code: &str, parent: Option<&str>) -> AppAuthorizationEvent {
    AppAuthorizationEvent::PermissionAdded {
        application_id: "a1".into(),
        permission: permission(id, code, parent),
        at: 1,
    }
}

/// p1 (menu) ─ p2 ─ p3, and p4 at the top level.
fn tree() -> Vec<AppAuthorizationEvent> {
    vec![
        added("p1", "menu", None),
        added("p2", "menu.sub", Some("p1")),
        added("p3", "menu.sub.btn", Some("p2")),
        added("p4", "other", None),
    ]
}

fn modify(id: &str, change: PermissionChange) -> AppAuthorizationCommand {
    AppAuthorizationCommand::ModifyPermission {
        application_id: "a1".into(),
        permission_id: id.into(),
        change,
        now: 2,
    }
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn bind_permissions(role_exists: bool, list: &[&str], bind: bool) -> AppAuthorizationCommand {
    AppAuthorizationCommand::BindPermissions {
        application_id: "a1".into(),
        role_id: "r1".into(),
        role_exists,
        permission_ids: ids(list),
        bind,
        now: 3,
    }
}

#[test]
fn a_permission_is_added_under_a_parent_of_the_same_application() {
    given::<AppAuthorization>(&[added("p1", "menu", None)])
        .when(add("p2", new("menu.sub", Some("p1"))), &())
        .then_expect_events(&[added("p2", "menu.sub", Some("p1"))]);
    // A parent this aggregate does not hold (another application's, or none) is not found.
    given::<AppAuthorization>(&[added("p1", "menu", None)])
        .when(add("p2", new("x", Some("other-app-permission"))), &())
        .then_expect_error(AuthorizationError::NotFound(
            Entity::Parent,
            "other-app-permission".into(),
        ));
}

#[test]
fn a_permission_code_is_unique_among_live_permissions_and_checked() {
    given::<AppAuthorization>(&tree())
        .when(add("p9", new("menu", None)), &())
        .then_expect_error(AuthorizationError::AlreadyExists("code"));
    let cases = [
        (
            new("", None),
            AuthorizationError::Invalid("code", "required"),
        ),
        (
            new("bad code", None),
            AuthorizationError::Invalid("code", "1 to 64 of letters, digits, _-.:"),
        ),
        (
            new(&"c".repeat(65), None),
            AuthorizationError::Invalid("code", "1 to 64 of letters, digits, _-.:"),
        ),
        (
            NewPermission {
                name: " ".into(),
                ..new("ok", None)
            },
            AuthorizationError::Invalid("name", "required"),
        ),
        (
            NewPermission {
                name: "n".repeat(101),
                ..new("ok", None)
            },
            AuthorizationError::Invalid("name", "1 to 100 printable characters"),
        ),
        (
            NewPermission {
                permission_type: 6,
                ..new("ok", None)
            },
            AuthorizationError::Invalid("type", "not 1 to 5"),
        ),
        (
            NewPermission {
                remark: Some("r".repeat(256)),
                ..new("ok", None)
            },
            AuthorizationError::Invalid("remark", "longer than 255"),
        ),
    ];
    for (permission, error) in cases {
        given_no_events::<AppAuthorization>()
            .when(add("p1", permission), &())
            .then_expect_error(error);
    }
    // A deleted permission's code is free again.
    let mut history = vec![added("p1", "menu", None)];
    history.push(AppAuthorizationEvent::PermissionDeleted {
        application_id: "a1".into(),
        permission_id: "p1".into(),
        role_ids: vec![],
        at: 2,
    });
    given::<AppAuthorization>(&history)
        .when(add("p2", new("menu", None)), &())
        .then_expect_events(&[added("p2", "menu", None)]);
    // The codes of 003 examples: letters, digits and `_-.:`.
    assert!(is_permission_code("sys:user.add-1_x"));
}

#[test]
fn modifying_keeps_absent_fields_and_moves_to_the_top_level_on_an_explicit_none() {
    let change = PermissionChange {
        name: Some("renamed".into()),
        order: Some(7),
        ..Default::default()
    };
    let mut expected = permission("p3", "menu.sub.btn", Some("p2"));
    expected.name = "renamed".into();
    expected.order = 7;
    given::<AppAuthorization>(&tree())
        .when(modify("p3", change), &())
        .then_expect_events(&[AppAuthorizationEvent::PermissionModified {
            application_id: "a1".into(),
            permission: expected,
            at: 2,
        }]);
    let to_top = PermissionChange {
        parent_id: Some(None),
        ..Default::default()
    };
    given::<AppAuthorization>(&tree())
        .when(modify("p3", to_top), &())
        .then_expect_events(&[AppAuthorizationEvent::PermissionModified {
            application_id: "a1".into(),
            permission: permission("p3", "menu.sub.btn", None),
            at: 2,
        }]);
    // Nothing changes: nothing appended.
    let same = PermissionChange {
        code: Some("menu.sub.btn".into()),
        parent_id: Some(Some("p2".into())),
        ..Default::default()
    };
    given::<AppAuthorization>(&tree())
        .when(modify("p3", same), &())
        .then_expect_events(&[]);
}

#[test]
fn a_permission_cannot_move_under_itself_or_take_another_code() {
    for target in ["p1", "p2", "p3"] {
        let change = PermissionChange {
            parent_id: Some(Some(target.into())),
            ..Default::default()
        };
        given::<AppAuthorization>(&tree())
            .when(modify("p1", change), &())
            .then_expect_error(AuthorizationError::Invalid("parent", "under itself"));
    }
    let moved = PermissionChange {
        parent_id: Some(Some("p3".into())),
        ..Default::default()
    };
    given::<AppAuthorization>(&tree())
        .when(modify("p4", moved), &())
        .then_expect_events(&[AppAuthorizationEvent::PermissionModified {
            application_id: "a1".into(),
            permission: permission("p4", "other", Some("p3")),
            at: 2,
        }]);
    let taken = PermissionChange {
        code: Some("menu".into()),
        ..Default::default()
    };
    given::<AppAuthorization>(&tree())
        .when(modify("p4", taken), &())
        .then_expect_error(AuthorizationError::AlreadyExists("code"));
    given::<AppAuthorization>(&tree())
        .when(modify("p9", PermissionChange::default()), &())
        .then_expect_error(AuthorizationError::NotFound(
            Entity::Permission,
            "p9".into(),
        ));
}

#[test]
fn a_permission_with_children_is_not_deleted_and_deleting_drops_its_role_bindings() {
    let delete = |id: &str| AppAuthorizationCommand::DeletePermission {
        application_id: "a1".into(),
        permission_id: id.into(),
        now: 4,
    };
    given::<AppAuthorization>(&tree())
        .when(delete("p2"), &())
        .then_expect_error(AuthorizationError::InUse("p2".into()));
    let mut history = tree();
    history.push(AppAuthorizationEvent::RolePermissionsBound {
        application_id: "a1".into(),
        role_id: "r1".into(),
        permission_ids: ids(&["p3", "p4"]),
        at: 3,
    });
    let decision = given::<AppAuthorization>(&history)
        .when(delete("p3"), &())
        .then_expect_events(&[AppAuthorizationEvent::PermissionDeleted {
            application_id: "a1".into(),
            permission_id: "p3".into(),
            role_ids: ids(&["r1"]),
            at: 4,
        }]);
    history.extend(decision.events);
    let state = AppAuthorization::from_events(&history);
    assert_eq!(
        state.role_permissions.iter().cloned().collect::<Vec<_>>(),
        [("r1".to_string(), "p4".to_string())]
    );
    // p2 has no children any more.
    given::<AppAuthorization>(&history)
        .when(delete("p2"), &())
        .decision();
}

#[test]
fn binding_permissions_is_all_or_nothing_and_idempotent() {
    given::<AppAuthorization>(&tree())
        .when(bind_permissions(true, &["p1", "nope"], true), &())
        .then_expect_error(AuthorizationError::NotFound(
            Entity::Permission,
            "nope".into(),
        ));
    given::<AppAuthorization>(&tree())
        .when(bind_permissions(false, &["p1"], true), &())
        .then_expect_error(AuthorizationError::NotFound(Entity::Role, "r1".into()));
    let bound = AppAuthorizationEvent::RolePermissionsBound {
        application_id: "a1".into(),
        role_id: "r1".into(),
        permission_ids: ids(&["p1", "p2"]),
        at: 3,
    };
    given::<AppAuthorization>(&tree())
        .when(bind_permissions(true, &["p1", "p2", "p1"], true), &())
        .then_expect_events(std::slice::from_ref(&bound));
    let mut history = tree();
    history.push(bound);
    given::<AppAuthorization>(&history)
        .when(bind_permissions(true, &["p2", "p1"], true), &())
        .then_expect_events(&[]);
    given::<AppAuthorization>(&history)
        .when(bind_permissions(true, &["p2", "p3"], false), &())
        .then_expect_events(&[AppAuthorizationEvent::RolePermissionsUnbound {
            application_id: "a1".into(),
            role_id: "r1".into(),
            permission_ids: ids(&["p2"]),
            at: 3,
        }]);
    given::<AppAuthorization>(&history)
        .when(bind_permissions(true, &["p3"], false), &())
        .then_expect_events(&[]);
}

#[test]
fn id_lists_hold_one_to_a_hundred_ids() {
    let hundred: Vec<String> = (0..100).map(|i| format!("p{i}")).collect();
    let too_many: Vec<String> = (0..101).map(|i| format!("p{i}")).collect();
    let events: Vec<AppAuthorizationEvent> = hundred.iter().map(|id| added(id, id, None)).collect();
    let bind = |list: Vec<String>| AppAuthorizationCommand::BindPermissions {
        application_id: "a1".into(),
        role_id: "r1".into(),
        role_exists: true,
        permission_ids: list,
        bind: true,
        now: 3,
    };
    assert_eq!(
        given::<AppAuthorization>(&events)
            .when(bind(hundred), &())
            .decision()
            .events
            .len(),
        1
    );
    given::<AppAuthorization>(&events)
        .when(bind(too_many), &())
        .then_expect_error(AuthorizationError::LimitExceeded);
    given::<AppAuthorization>(&events)
        .when(bind(vec![]), &())
        .then_expect_error(AuthorizationError::Invalid("permission_ids", "required"));
}

#[test]
fn roles_are_bound_to_a_user_only_when_every_role_and_the_user_exist() {
    let bind = |user_exists: bool, roles: &[(&str, bool)], bind: bool| {
        AppAuthorizationCommand::BindRoles {
            application_id: "a1".into(),
            user_id: "u1".into(),
            user_exists,
            roles: roles.iter().map(|(r, e)| (r.to_string(), *e)).collect(),
            bind,
            now: 5,
        }
    };
    given_no_events::<AppAuthorization>()
        .when(bind(true, &[("r1", true), ("r2", false)], true), &())
        .then_expect_error(AuthorizationError::NotFound(Entity::Role, "r2".into()));
    given_no_events::<AppAuthorization>()
        .when(bind(false, &[("r1", true)], true), &())
        .then_expect_error(AuthorizationError::NotFound(Entity::User, "u1".into()));
    let bound = AppAuthorizationEvent::UserRolesBound {
        application_id: "a1".into(),
        user_id: "u1".into(),
        role_ids: ids(&["r1", "r2"]),
        at: 5,
    };
    given_no_events::<AppAuthorization>()
        .when(bind(true, &[("r1", true), ("r2", true)], true), &())
        .then_expect_events(std::slice::from_ref(&bound));
    given::<AppAuthorization>(std::slice::from_ref(&bound))
        .when(bind(true, &[("r1", true)], true), &())
        .then_expect_events(&[]);
    given::<AppAuthorization>(&[bound])
        .when(bind(true, &[("r1", true), ("r3", true)], false), &())
        .then_expect_events(&[AppAuthorizationEvent::UserRolesUnbound {
            application_id: "a1".into(),
            user_id: "u1".into(),
            role_ids: ids(&["r1"]),
            at: 5,
        }]);
}

fn org_call(org: &str, subtree: &[&str], auth_sub: bool, bind: bool) -> AppAuthorizationCommand {
    AppAuthorizationCommand::BindOrganization {
        application_id: "a1".into(),
        role_id: "r1".into(),
        role_exists: true,
        org_id: org.into(),
        organizations: ids(subtree),
        auth_sub,
        bind,
        now: 6,
    }
}

fn org_event(org: &str, auth_sub: bool, rows: &[&str], bind: bool) -> AppAuthorizationEvent {
    if bind {
        AppAuthorizationEvent::OrgRoleBound {
            application_id: "a1".into(),
            role_id: "r1".into(),
            org_id: org.into(),
            auth_sub,
            org_ids: ids(rows),
            at: 6,
        }
    } else {
        AppAuthorizationEvent::OrgRoleUnbound {
            application_id: "a1".into(),
            role_id: "r1".into(),
            org_id: org.into(),
            auth_sub,
            org_ids: ids(rows),
            at: 6,
        }
    }
}

#[test]
fn auth_sub_binds_a_snapshot_of_the_subtree_and_unbinds_the_current_one() {
    // o1 has o2 and o3 below it when bound with authSub.
    let bound = org_event("o1", true, &["o1", "o2", "o3"], true);
    given_no_events::<AppAuthorization>()
        .when(org_call("o1", &["o1", "o2", "o3"], true, true), &())
        .then_expect_events(std::slice::from_ref(&bound));
    // Without authSub only the organisation itself.
    given_no_events::<AppAuthorization>()
        .when(org_call("o1", &["o1", "o2", "o3"], false, true), &())
        .then_expect_events(&[org_event("o1", false, &["o1"], true)]);
    // Binding again with a new sub-organisation o4: only o4 is new.
    given::<AppAuthorization>(std::slice::from_ref(&bound))
        .when(org_call("o1", &["o1", "o2", "o3", "o4"], true, true), &())
        .then_expect_events(&[org_event("o1", true, &["o4"], true)]);
    // Unbinding o2 without authSub leaves o1 and o3.
    given::<AppAuthorization>(std::slice::from_ref(&bound))
        .when(org_call("o2", &["o2"], false, false), &())
        .then_expect_events(&[org_event("o2", false, &["o2"], false)]);
    // Unbinding o1 with authSub over today's subtree (o3 moved away, o4 arrived unbound).
    given::<AppAuthorization>(std::slice::from_ref(&bound))
        .when(org_call("o1", &["o1", "o2", "o4"], true, false), &())
        .then_expect_events(&[org_event("o1", true, &["o1", "o2"], false)]);
    // An organisation that does not exist (no subtree read) is not found.
    given::<AppAuthorization>(&[bound])
        .when(org_call("o9", &[], true, true), &())
        .then_expect_error(AuthorizationError::NotFound(
            Entity::Organization,
            "o9".into(),
        ));
}

#[test]
fn events_keep_their_stored_names_and_shapes() {
    let event = added("p1", "menu", None);
    let (event_type, payload) = crate::aggregate::to_stored(&event);
    assert_eq!(event_type, "app_authorization.permission_added");
    assert_eq!(payload["permission"]["permission_type"], 1);
    let back: AppAuthorizationEvent = crate::aggregate::from_stored(&event_type, payload).unwrap();
    assert_eq!(back, event);
    let bad = serde_json::json!({"application_id": "a1", "at": 1, "permission": {
        "permission_id": "p", "code": "c", "name": "n", "parent_id": null,
        "permission_type": 9, "enabled": true, "order": 0, "remark": null}});
    assert!(crate::aggregate::from_stored::<AppAuthorizationEvent>(&event_type, bad).is_err());
}
