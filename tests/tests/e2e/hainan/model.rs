//! The authorisation model behind the Hainan 003 APIs (specs/oneaccess-sdk-and-hainan-uaa.md
//! §2.2, ops/adr/0018), through its use cases in-process over a real server's store: the
//! directory (users, organisations, application accounts and their OneAccess role membership)
//! is made over the OneAccess API, the permissions and bindings by the use cases, and the
//! effective-permission query is checked against answers computed by hand.

use domain::app_authorization::{AuthorizationError, Entity, NewPermission, PermissionChange};
use domain::app_role::AppRoleError;
use idaas_tests::{on_both_engines, Engine, TestServer};
use projections::effective::{effective, PermissionKind, RoleSource};
use projections::page::PageRequest;
use projections::permissions::{PermissionFilter, PermissionNode};
use projections::role_bindings;
use serde_json::json;
use usecases::authorization::{self as authz, AuthorizationRefused, RoleKey};
use usecases::authorization_roles::{self as roles, NewRole, RoleChange};
use usecases::{AppState, Context, Metadata};

struct Fixture<'a> {
    server: &'a TestServer,
    token: String,
    state: AppState,
    ctx: Context,
}

impl Fixture<'_> {
    async fn org(&self, code: &str, parent: Option<&str>) -> String {
        let mut body = json!({"code": code, "name": format!("org {code}")});
        if let Some(parent) = parent {
            body["parent_id"] = json!(parent);
        }
        let reply = self
            .server
            .client
            .post("/api/v2/tenant/organizations", &self.token, body)
            .await;
        reply.assert_status(201)["org_id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn user(&self, name: &str, mobile: &str, org_code: &str) -> String {
        let reply = self
            .server
            .client
            .post(
                "/api/v2/tenant/users",
                &self.token,
                json!({"user_name": name, "mobile": mobile, "org_code": org_code}),
            )
            .await;
        reply.body["user_id"].as_str().unwrap().to_string()
    }

    async fn permission(&self, app: &str, code: &str, parent: Option<&str>, kind: u8) -> String {
        let new = NewPermission {
            code: code.into(),
            name: format!("permission {code}"),
            parent_id: parent.map(str::to_string),
            permission_type: kind,
            enabled: true,
            order: 0,
            remark: None,
        };
        authz::add_permission(&self.state, &self.ctx, app, new)
            .await
            .expect("permission added")
    }

    async fn role(&self, app: &str, code: &str) -> String {
        let new = NewRole {
            code: code.into(),
            name: None,
            remark: Some(format!("role {code}")),
        };
        roles::create_roles(&self.state, &self.ctx, app, vec![new])
            .await
            .expect("role created")
            .remove(0)
    }
}

fn ids(list: &[&String]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn model(result: Result<(), AuthorizationRefused>) -> AuthorizationError {
    match result {
        Err(AuthorizationRefused::Model(e)) => e,
        other => panic!("expected a model refusal, got {other:?}"),
    }
}

fn shape(nodes: &[PermissionNode]) -> String {
    nodes
        .iter()
        .map(|n| match n.children.is_empty() {
            true => n.permission.code.clone(),
            false => format!("{}({})", n.permission.code, shape(&n.children)),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

async fn the_effective_query_answers_what_was_computed_by_hand(engine: Engine) {
    let server = TestServer::start(engine).await;
    let state = AppState::new(server.store().clone(), server.config.clone())
        .with_clock(server.clock.clone());
    let ctx = usecases::context(
        "default",
        Metadata {
            surface: Some("test".into()),
            ..Default::default()
        },
    );
    let f = Fixture {
        server: &server,
        token: server.token().await,
        state,
        ctx,
    };
    let (state, ctx) = (&f.state, &f.ctx);
    let pool = state.pool();
    let erp = server.application("ERP", false, true).await;
    let crm = server.application("CRM", false, true).await;

    // HQ ─ Dept ─ Team, and X apart. U: primary in Team, secondary in X. V: only in X's sibling.
    let hq = f.org("100", None).await;
    let dept = f.org("101", Some(&hq)).await;
    let team = f.org("102", Some(&dept)).await;
    let x = f.org("200", None).await;
    let u = f.user("u1", "13500000001", "102").await;
    server
        .client
        .put(
            &format!("/api/v2/tenant/users/{u}"),
            &f.token,
            json!({"user_org_relation_list": [{"orgCode": "102", "relationType": 1}, {"orgCode": "200", "relationType": 0}]}),
        )
        .await
        .assert_status(200);

    // Permissions of ERP: menu ─ menu:add, api.users, and data.x (disabled).
    let menu = f.permission(&erp, "menu", None, 1).await;
    let menu_add = f.permission(&erp, "menu:add", Some(&menu), 2).await;
    let api = f.permission(&erp, "api.users", None, 3).await;
    let data = f.permission(&erp, "data.x", None, 4).await;
    let disable = PermissionChange {
        enabled: Some(false),
        ..Default::default()
    };
    authz::modify_permission(state, ctx, &erp, &data, disable)
        .await
        .unwrap();
    let tree = projections::permissions::tree(pool, "default", &erp, &Default::default())
        .await
        .unwrap();
    assert_eq!(shape(&tree), "menu(menu:add) api.users data.x");
    let enabled_under_menu = PermissionFilter {
        parent_id: Some(menu.clone()),
        enabled: Some(true),
        ..Default::default()
    };
    let filtered = projections::permissions::tree(pool, "default", &erp, &enabled_under_menu)
        .await
        .unwrap();
    assert_eq!(shape(&filtered), "menu:add");

    // Roles: each reaches U another way.
    let direct = f.role(&erp, "direct").await;
    let org_role = f.role(&erp, "orgrole").await;
    let sub_role = f.role(&erp, "subrole").await;
    let acct_role = f.role(&erp, "acct").await;
    let off = f.role(&erp, "off").await;
    let gone = f.role(&erp, "gone").await;
    let crm_role = f.role(&crm, "crmrole").await;

    authz::bind_user_roles(state, ctx, &erp, &u, ids(&[&direct, &off, &gone]), true)
        .await
        .unwrap();
    let x_only = RoleKey {
        role_code: Some("orgrole".into()),
        ..Default::default()
    };
    authz::bind_org_role(state, ctx, &erp, x_only, &x, false, true)
        .await
        .unwrap();
    let sub_key = RoleKey {
        role_id: Some(sub_role.clone()),
        ..Default::default()
    };
    authz::bind_org_role(state, ctx, &erp, sub_key.clone(), &hq, true, true)
        .await
        .unwrap();
    // U's application account is a member of `acct`, which also carries a privilege.
    let account = server
        .client
        .post(
            &format!("/api/v2/tenant/applications/{erp}/accounts/basic-account"),
            &f.token,
            json!({"user_id": u}),
        )
        .await
        .assert_status(201)["account_id"]
        .as_str()
        .unwrap()
        .to_string();
    server
        .client
        .post(
            &format!("/api/v2/tenant/applications/{erp}/role-member"),
            &f.token,
            json!({"role_id": acct_role, "account_Ids": [account]}),
        )
        .await
        .assert_status(200);
    let privilege =
        usecases::privileges::define(state, ctx, &erp, "p.read".into(), "read".into(), vec![])
            .await
            .unwrap();
    usecases::privileges::set_role_privileges(state, ctx, &erp, &acct_role, vec![privilege])
        .await
        .unwrap();

    for (role, permissions) in [
        (&direct, ids(&[&menu, &menu_add])),
        (&org_role, ids(&[&menu_add])),
        (&sub_role, ids(&[&api, &data])),
        (&off, ids(&[&menu])),
        (&gone, ids(&[&menu])),
    ] {
        authz::bind_permissions(state, ctx, &erp, role, permissions, true)
            .await
            .unwrap();
    }
    roles::configure_role(
        state,
        ctx,
        &erp,
        &off,
        RoleChange {
            enabled: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    roles::delete_role(state, ctx, &erp, &gone).await.unwrap();
    // A CRM role bound to U says nothing about ERP.
    authz::bind_user_roles(state, ctx, &crm, &u, ids(&[&crm_role]), true)
        .await
        .unwrap();

    // By hand: acct (account), direct (user), orgrole (X), subrole (Team, from the HQ snapshot);
    // off is disabled and gone deleted. Permissions: api.users ← subrole, menu ← direct,
    // menu:add ← direct and orgrole; data.x is disabled; then the privilege p.read ← acct.
    let answer = effective(pool, "default", &erp, &u).await.unwrap();
    assert_eq!(
        answer.role_codes(),
        ["acct", "direct", "orgrole", "subrole"]
    );
    let sources: Vec<Vec<RoleSource>> = answer.roles.iter().map(|r| r.sources.clone()).collect();
    assert_eq!(
        sources,
        [
            vec![RoleSource::Account(account.clone())],
            vec![RoleSource::User],
            vec![RoleSource::Organization(x.clone())],
            vec![RoleSource::Organization(team.clone())],
        ]
    );
    assert_eq!(answer.permission_codes(), ["api.users", "menu", "menu:add"]);
    assert_eq!(answer.privilege_codes(), ["p.read"]);
    let menu_add_ref = &answer.permissions[2];
    assert_eq!(menu_add_ref.kind, PermissionKind::Permission(2));
    let mut carriers = vec![direct.clone(), org_role.clone()];
    carriers.sort();
    assert_eq!(menu_add_ref.role_ids, carriers);
    assert_eq!(
        answer.permissions[3].role_ids,
        std::slice::from_ref(&acct_role)
    );

    // 003-1 reads direct bindings only (the disabled role too; the deleted one is gone).
    let direct_roles = role_bindings::user_roles(pool, "default", &erp, &u)
        .await
        .unwrap();
    let codes: Vec<(&str, bool)> = direct_roles
        .iter()
        .map(|r| (r.code.as_str(), r.enabled))
        .collect();
    assert_eq!(codes, [("direct", true), ("off", false)]);
    let page = PageRequest::page_number(1, 10).unwrap();
    let holders = role_bindings::users_of_role(pool, "default", &direct, page)
        .await
        .unwrap();
    assert_eq!((holders.items, holders.total), (vec![u.clone()], 1));
    let by_code = projections::permissions::of_role_code(pool, "default", &erp, "direct")
        .await
        .unwrap()
        .unwrap();
    let codes: Vec<&str> = by_code.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, ["menu", "menu:add"]);

    // authSub is a snapshot: a team made later under Dept is not bound.
    let bound = role_bindings::orgs_of_role(pool, "default", &sub_role, page)
        .await
        .unwrap();
    let mut rows: Vec<(String, bool)> = bound
        .items
        .into_iter()
        .map(|b| (b.org_id, b.auth_sub))
        .collect();
    rows.sort();
    let mut expected = vec![
        (hq.clone(), true),
        (dept.clone(), true),
        (team.clone(), true),
    ];
    expected.sort();
    assert_eq!(rows, expected);
    f.org("103", Some(&dept)).await;
    let v = f.user("v1", "13500000002", "103").await;
    let later = effective(pool, "default", &erp, &v).await.unwrap();
    assert!(later.roles.is_empty(), "{later:?}");
    // Unbinding Dept alone keeps HQ and Team; unbinding HQ with authSub removes the rest.
    authz::bind_org_role(state, ctx, &erp, sub_key.clone(), &dept, false, false)
        .await
        .unwrap();
    assert_eq!(
        role_bindings::orgs_of_role(pool, "default", &sub_role, page)
            .await
            .unwrap()
            .total,
        2
    );
    authz::bind_org_role(state, ctx, &erp, sub_key, &hq, true, false)
        .await
        .unwrap();
    let after = effective(pool, "default", &erp, &u).await.unwrap();
    assert_eq!(after.role_codes(), ["acct", "direct", "orgrole"]);

    // Refusals: all or nothing, scoped to the application.
    let unknown = authz::bind_permissions(
        state,
        ctx,
        &erp,
        &direct,
        vec![api.clone(), "nope".into()],
        true,
    )
    .await;
    assert_eq!(
        model(unknown),
        AuthorizationError::NotFound(Entity::Permission, "nope".into())
    );
    let foreign = authz::bind_user_roles(state, ctx, &erp, &u, ids(&[&crm_role]), true).await;
    assert_eq!(
        model(foreign),
        AuthorizationError::NotFound(Entity::Role, crm_role.clone())
    );
    let with_child = authz::delete_permission(state, ctx, &erp, &menu).await;
    assert_eq!(model(with_child), AuthorizationError::InUse(menu.clone()));
    let crm_parent = NewPermission {
        code: "c".into(),
        name: "c".into(),
        parent_id: Some(menu.clone()),
        permission_type: 1,
        enabled: true,
        order: 0,
        remark: None,
    };
    let other_app = authz::add_permission(state, ctx, &crm, crm_parent)
        .await
        .map(|_| ());
    assert_eq!(
        model(other_app),
        AuthorizationError::NotFound(Entity::Parent, menu.clone())
    );
    let taken = roles::configure_role(
        state,
        ctx,
        &erp,
        &off,
        RoleChange {
            code: Some("direct".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(model(taken), AuthorizationError::AlreadyExists("code"));
    let before = role_bindings::roles_of_application(pool, "default", &erp)
        .await
        .unwrap()
        .len();
    let batch = vec![
        NewRole {
            code: "fresh".into(),
            ..Default::default()
        },
        NewRole {
            code: "fresh".into(),
            ..Default::default()
        },
    ];
    let repeated = roles::create_roles(state, ctx, &erp, batch)
        .await
        .map(|_| ());
    assert_eq!(model(repeated), AuthorizationError::AlreadyExists("code"));
    let after = role_bindings::roles_of_application(pool, "default", &erp)
        .await
        .unwrap()
        .len();
    assert_eq!(after, before, "a refused batch creates nothing");
    let with_members = roles::delete_role(state, ctx, &erp, &acct_role).await;
    assert!(matches!(
        with_members,
        Err(AuthorizationRefused::Role(AppRoleError::HasMembers))
    ));

    // A role's code may change; its bindings stay.
    roles::configure_role(
        state,
        ctx,
        &erp,
        &direct,
        RoleChange {
            code: Some("direct2".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let renamed = effective(pool, "default", &erp, &u).await.unwrap();
    assert_eq!(renamed.role_codes(), ["acct", "direct2", "orgrole"]);

    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(the_effective_query_answers_what_was_computed_by_hand);
