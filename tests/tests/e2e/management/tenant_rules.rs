//! The tenant's user-attribute rules drive the "required" and "already exists" codes
//! (specs/oneaccess.md §2.2, §4.12): every such code, triggered over HTTP once the rules ask for it,
//! and the audit trail those changes leave.

use domain::tenant::{AttributeRule, Tenant, TenantCommand, UserAttributeRules, DEFAULT_TENANT_ID};
use domain::Aggregate;
use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::{json, Value};
use store::{CommandBus, Context, Metadata};

const USERS: &str = "/api/v2/tenant/users";

const REQUIRED: &[(&str, &str, &str)] = &[
    ("email", "zs@example.com", "USER.0011"),
    ("first_name", "San", "USER.0012"),
    ("middle_name", "M", "USER.0013"),
    ("last_name", "Zhang", "USER.0014"),
    ("attr_nick_name", "zs", "USER.0015"),
    ("attr_birthday", "1990-02-01", "USER.0016"),
    ("attr_gender", "male", "USER.0017"),
    ("attr_identity_type", "id_card", "USER.0018"),
    ("attr_identity_number", "110101199002010011", "USER.0019"),
    ("attr_area", "CN", "USER.0020"),
    ("attr_city", "Shenzhen", "USER.0021"),
    ("employee_id", "E001", "USER.0022"),
    ("attr_manager_id", "123456789", "USER.0024"),
    ("attr_hire_date", "2020-01-01", "USER.0026"),
    ("attr_work_place", "Bantian", "USER.0027"),
];

async fn set_rules(server: &TestServer, rules: UserAttributeRules) {
    let bus = CommandBus::new(server.store().clone());
    let ctx = Context {
        tenant_id: DEFAULT_TENANT_ID.into(),
        metadata: Metadata {
            actor_kind: Some("admin".into()),
            actor_id: Some("test".into()),
            ..Default::default()
        },
    };
    let command = TenantCommand::SetUserAttributes(rules);
    bus.execute::<Tenant, _>(&ctx, DEFAULT_TENANT_ID, |t| t.decide(command.clone(), &()))
        .await
        .expect("rules set");
}

fn full_body() -> Value {
    let mut body =
        json!({"user_name": "zhangsan", "mobile": "12345678901", "extension": {"badge": "B7"}});
    for (field, value, _) in REQUIRED {
        body[*field] = json!(value);
    }
    body
}

async fn every_required_and_unique_code_follows_the_tenant_rules(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let mut rules = UserAttributeRules::default();
    for (field, _, _) in REQUIRED {
        rules.0.insert(
            field.to_string(),
            AttributeRule {
                required: true,
                unique: true,
                pattern: None,
            },
        );
    }
    rules.0.insert(
        "extension.badge".into(),
        AttributeRule {
            required: true,
            unique: true,
            pattern: None,
        },
    );
    set_rules(&server, rules).await;
    for (field, _, code) in REQUIRED {
        let mut body = full_body();
        body.as_object_mut().unwrap().remove(*field);
        server.client.post(USERS, &t, body).await.assert_error(code);
    }
    let mut no_badge = full_body();
    no_badge["extension"] = json!({});
    let reply = server.client.post(USERS, &t, no_badge).await;
    reply.assert_error("USER.0028");
    assert_eq!(
        reply.body["error_msg"],
        "Extended attribute badge required."
    );
    server
        .client
        .post(USERS, &t, full_body())
        .await
        .assert_status(201);
    // A second user equal in one unique attribute at a time.
    let mut second = full_body();
    second["user_name"] = json!("lisi");
    second["mobile"] = json!("12345678902");
    let mut changed = second.clone();
    for (field, _, _) in REQUIRED {
        changed[*field] = json!(format!("x{}", field.len()));
    }
    let unique_cases = [
        ("email", "USER.0031"),
        ("attr_identity_number", "USER.0032"),
        ("employee_id", "USER.0033"),
    ];
    for (field, code) in unique_cases {
        let mut body = changed.clone();
        body["email"] = json!("other@example.com");
        body["attr_birthday"] = json!("1991-01-01");
        body["attr_hire_date"] = json!("2021-01-01");
        body["attr_gender"] = json!("female");
        body["attr_identity_type"] = json!("other");
        body["attr_area"] = json!("HK");
        body["attr_identity_number"] = json!("ID2");
        body["employee_id"] = json!("E002");
        body[field] = full_body()[field].clone();
        server.client.post(USERS, &t, body).await.assert_error(code);
    }
    let mut badge = changed.clone();
    for (k, v) in [
        ("email", "b@example.com"),
        ("attr_birthday", "1991-01-01"),
        ("attr_hire_date", "2021-01-01"),
        ("attr_gender", "female"),
        ("attr_identity_type", "other"),
        ("attr_area", "HK"),
        ("attr_identity_number", "ID3"),
        ("employee_id", "E003"),
    ] {
        badge[k] = json!(v);
    }
    let reply = server.client.post(USERS, &t, badge).await;
    reply.assert_error("USER.0035");
    assert_eq!(
        reply.body["error_msg"],
        "Extended attribute badge already exists."
    );
    server.finish().await;
}

async fn the_audit_trail_names_actor_surface_and_changed_fields_without_personal_data(
    engine: Engine,
) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let user_id = server
        .client
        .post(
            USERS,
            &t,
            json!({"user_name": "zhangsan", "mobile": "12345678901"}),
        )
        .await
        .body["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    server
        .client
        .put(
            &format!("{USERS}/{user_id}"),
            &t,
            json!({"mobile": "12345678902", "email": "zs@example.com"}),
        )
        .await
        .assert_status(200);
    server
        .client
        .put(&format!("{USERS}/{user_id}/disable"), &t, json!({}))
        .await
        .assert_status(200);
    let rows = projections::audit_trail::for_stream(
        &server.store().database().pool,
        DEFAULT_TENANT_ID,
        "user",
        &user_id,
    )
    .await
    .unwrap();
    let app = &server.credentials.application_id;
    let summaries: Vec<&str> = rows.iter().map(|r| r.summary.as_str()).collect();
    assert_eq!(
        summaries,
        [
            format!("user {user_id} created by application {app} via oneaccess"),
            format!("user {user_id} updated (changed: mobile, email) by application {app} via oneaccess"),
            format!("user {user_id} disabled by application {app} via oneaccess"),
        ]
    );
    for row in &rows {
        assert_eq!(row.actor_id.as_deref(), Some(app.as_str()));
        assert!(!row.summary.contains("zhangsan") && !row.summary.contains("1234567890"));
    }
    // Non-personal attributes show their values before and after.
    let org = server
        .client
        .post(
            "/api/v2/tenant/organizations",
            &t,
            json!({"code": "10000", "name": "总部"}),
        )
        .await
        .body["org_id"]
        .as_str()
        .unwrap()
        .to_string();
    server
        .client
        .put(
            &format!("/api/v2/tenant/organizations/{org}"),
            &t,
            json!({"code": "TestOrg", "category": "company"}),
        )
        .await
        .assert_status(200);
    let org_rows = projections::audit_trail::for_stream(
        &server.store().database().pool,
        DEFAULT_TENANT_ID,
        "organization",
        &org,
    )
    .await
    .unwrap();
    assert_eq!(
        org_rows[1].summary,
        format!("organization {org} updated (changed: code \"10000\" → \"TestOrg\", category \"department\" → \"company\") by application {app} via oneaccess")
    );
    server.finish().await;
}

on_both_engines!(
    every_required_and_unique_code_follows_the_tenant_rules,
    the_audit_trail_names_actor_surface_and_changed_fields_without_personal_data,
);
