//! The dialect-neutral domain (ADR 0009) over HTTP: a database written before it (version-1
//! attribute names, sibling-name claims always taken) opens, answers the OneAccess API as before
//! and replays identically; the sibling-name rule is a tenant policy of the admin API.

use domain::tenant::DEFAULT_TENANT_ID;
use domain::Claim;
use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::{json, Value};
use store::store::{AppendRequest, NewEvent};
use store::Metadata;

const USERS: &str = "/api/v2/tenant/users";
const ORGS: &str = "/api/v2/tenant/organizations";

/// The personal attributes as version 1 stored them: OneAccess wire names.
fn v1_personal() -> Value {
    json!({
        "user_name": "zhangsan", "name": "Zhang San", "mobile": "12345678901",
        "email": "zs@example.com", "employee_id": "E001", "first_name": null,
        "middle_name": null, "last_name": null, "attr_gender": null, "attr_birthday": null,
        "attr_nick_name": "zs", "attr_identity_type": null,
        "attr_identity_number": "110101199002010011", "attr_area": null, "attr_city": null,
        "attr_manager_id": null, "attr_user_type": null, "attr_hire_date": null,
        "attr_work_place": null, "extension": {"badge": "B7"}
    })
}

fn v1_rule(required: bool, unique: bool) -> Value {
    json!({"required": required, "unique": unique, "pattern": null})
}

/// Appends events as an older server wrote them: schema version 1, with their claims.
async fn append_v1(
    server: &TestServer,
    stream_type: &str,
    stream_id: &str,
    events: &[(&str, Value)],
    claims: Vec<Claim>,
) {
    let store = server.store();
    let expected_version = store
        .load(DEFAULT_TENANT_ID, stream_type, stream_id)
        .await
        .expect("stream")
        .len() as i64;
    let request = AppendRequest {
        tenant_id: DEFAULT_TENANT_ID.into(),
        stream_type: stream_type.into(),
        stream_id: stream_id.into(),
        expected_version,
        events: events
            .iter()
            .map(|(event_type, payload)| NewEvent {
                event_type: event_type.to_string(),
                schema_version: 1,
                payload: payload.clone(),
            })
            .collect(),
        claims,
        releases: Vec::new(),
        guards: Vec::new(),
        forget: Vec::new(),
        metadata: Metadata {
            actor_kind: Some("admin".into()),
            actor_id: Some("old-server".into()),
            surface: Some("oneaccess".into()),
            ..Default::default()
        },
    };
    store.append(request).await.expect("a v1 append");
}

async fn write_a_version_1_database(server: &TestServer) {
    let mut rules = serde_json::Map::new();
    for (name, required) in [
        ("user_name", true),
        ("mobile", true),
        ("email", false),
        ("employee_id", false),
        ("attr_identity_number", false),
    ] {
        rules.insert(name.into(), v1_rule(required, true));
    }
    rules.insert("attr_nick_name".into(), v1_rule(true, false));
    append_v1(
        server,
        "tenant",
        DEFAULT_TENANT_ID,
        &[("tenant.user_attributes_changed", json!({ "rules": rules }))],
        Vec::new(),
    )
    .await;
    let org = json!({"org_id": "old-org", "code": "10000", "name": "总部", "parent_id": null,
                     "category": "department", "created_at": 1_700_000_000_000_i64});
    append_v1(
        server,
        "organization",
        "old-org",
        &[("organization.created", org)],
        vec![
            Claim::new("organization.code", "10000"),
            Claim::new("organization.name", "/总部"),
        ],
    )
    .await;
    let created = json!({"user_id": "old-user", "org_relations": [], "pwd_must_modify": false,
        "password_hash": null, "created_at": 1_700_000_000_000_i64, "personal": v1_personal(),
        "claimed": ["user.user_name", "user.mobile", "user.email", "user.employee_id",
                    "user.attr_identity_number"]});
    let mut personal = v1_personal();
    personal["attr_city"] = json!("Shenzhen");
    let updated = json!({"user_id": "old-user", "org_relations": [], "pwd_must_modify": false,
        "changed": ["attr_city"], "updated_at": 1_700_000_000_001_i64, "personal": personal,
        "claimed": ["user.user_name", "user.mobile", "user.email", "user.employee_id",
                    "user.attr_identity_number"]});
    append_v1(
        server,
        "user",
        "old-user",
        &[("user.created", created), ("user.updated", updated)],
        vec![
            Claim::new("user.user_name", "zhangsan"),
            Claim::new("user.mobile", "12345678901"),
            Claim::new("user.email", "zs@example.com"),
            Claim::new("user.employee_id", "E001"),
            Claim::new("user.attr_identity_number", "110101199002010011"),
        ],
    )
    .await;
}

/// Puts the rows the version-1 reducers wrote back in place (profiles and rules under wire
/// names) and forgets which reducers wrote them, as in a database from before the upgrade.
async fn age_the_projections(server: &TestServer) {
    let pool = &server.store().database().pool;
    let mut settings: Value = {
        let (text,): (String,) =
            sqlx::query_as("SELECT settings FROM proj_tenants WHERE tenant_id = $1")
                .bind(DEFAULT_TENANT_ID)
                .fetch_one(pool)
                .await
                .unwrap();
        serde_json::from_str(&text).unwrap()
    };
    settings["user_attributes"] = json!({"user_name": v1_rule(true, true)});
    for (sql, value) in [
        (
            "UPDATE proj_users SET profile = $1 WHERE user_id = 'old-user'",
            v1_personal().to_string(),
        ),
        (
            "UPDATE proj_tenants SET settings = $1 WHERE tenant_id = 'default'",
            settings.to_string(),
        ),
        (
            "DELETE FROM store_settings WHERE name = $1",
            "projections_version".to_string(),
        ),
    ] {
        sqlx::query(sql).bind(value).execute(pool).await.unwrap();
    }
}

async fn an_old_database_opens_answers_as_before_and_replays_identically(engine: Engine) {
    let mut server = TestServer::start(engine).await;
    write_a_version_1_database(&server).await;
    age_the_projections(&server).await;
    server.restart().await;
    let t = server.token().await;
    let c = &server.client;

    let user = c.get(&format!("{USERS}/old-user"), &t).await;
    let user = user.assert_status(200);
    assert_eq!(
        (&user["user_name"], &user["name"], &user["mobile"]),
        (
            &json!("zhangsan"),
            &json!("Zhang San"),
            &json!("12345678901")
        )
    );
    assert_eq!(user["extension"], json!({"badge": "B7"}));

    // The v1 rules still apply (a nickname is required) and the v1 claims are still held.
    let fresh = |name: &str, mobile: &str| {
        json!({"user_name": name, "mobile": mobile, "attr_nick_name": "n",
               "attr_identity_number": "ID-1"})
    };
    let mut no_nickname = fresh("lisi", "12345678902");
    no_nickname
        .as_object_mut()
        .unwrap()
        .remove("attr_nick_name");
    c.post(USERS, &t, no_nickname)
        .await
        .assert_error("USER.0015");
    let mut same_id_number = fresh("lisi", "12345678902");
    same_id_number["attr_identity_number"] = json!("110101199002010011");
    c.post(USERS, &t, same_id_number)
        .await
        .assert_error("USER.0032");
    c.post(USERS, &t, fresh("zhangsan", "12345678903"))
        .await
        .assert_error("USER.0029");
    let created = c.post(USERS, &t, fresh("lisi", "12345678902")).await;
    created.assert_status(201);
    // The old user's claims move with an update and are released when it is deleted.
    c.put(
        &format!("{USERS}/old-user"),
        &t,
        json!({"attr_identity_number": "110101199002010012"}),
    )
    .await
    .assert_status(200);
    let mut reused = fresh("wangwu", "12345678904");
    reused["attr_identity_number"] = json!("110101199002010011");
    c.post(USERS, &t, reused).await.assert_status(201);

    // The v1 organisation holds its sibling-name claim.
    c.post(ORGS, &t, json!({"code": "20000", "name": "总部"}))
        .await
        .assert_error("ORG.0013");
    c.put(&format!("{ORGS}/old-org"), &t, json!({"name": "集团"}))
        .await
        .assert_status(200);
    c.post(ORGS, &t, json!({"code": "20000", "name": "总部"}))
        .await
        .assert_status(201);
    c.post(ORGS, &t, json!({"code": "30000", "name": "集团"}))
        .await
        .assert_error("ORG.0013");

    // Stored events are never rewritten; new ones are written at the current versions.
    let raw = server.store().read_raw(0, 100_000).await.unwrap();
    let versions = |stream: &str, event_type: &str| -> Vec<i64> {
        raw.iter()
            .filter(|r| r.stream_id == stream && r.event_type == event_type)
            .map(|r| r.schema_version)
            .collect()
    };
    assert_eq!(versions("old-user", "user.created"), [1]);
    assert_eq!(versions("old-user", "user.updated"), [1, 2]);
    assert_eq!(versions("old-org", "organization.updated"), [2]);
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn sibling_names_may_repeat_when_the_tenant_policy_allows_it(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let c = &server.client;
    let settings = c.get("/admin/v1/tenant/settings", &t).await;
    assert_eq!(
        settings.assert_status(200)["organizations"],
        json!({"unique_sibling_names": true, "grants_reach_sub_organizations": false})
    );
    let policy = |unique: bool| json!({ "unique_sibling_names": unique });
    let changed = c
        .put("/admin/v1/tenant/settings/organizations", &t, policy(false))
        .await;
    assert_eq!(
        changed.assert_status(200)["organizations"],
        json!({"unique_sibling_names": false, "grants_reach_sub_organizations": false})
    );
    let bad = c
        .put(
            "/admin/v1/tenant/settings/organizations",
            &t,
            json!({"unique_names": false}),
        )
        .await;
    assert_eq!(bad.status.as_u16(), 400);
    let first = c
        .post(ORGS, &t, json!({"code": "A1", "name": "Sales"}))
        .await;
    let first = first.assert_status(201)["org_id"]
        .as_str()
        .unwrap()
        .to_string();
    c.post(ORGS, &t, json!({"code": "A2", "name": "Sales"}))
        .await
        .assert_status(201);
    // Codes stay unique whatever the policy.
    c.post(ORGS, &t, json!({"code": "A1", "name": "Other"}))
        .await
        .assert_error("ORG.0012");
    // Back on: the duplicates keep their places, a new organisation claims the name, and
    // renaming into a held name is refused.
    c.put("/admin/v1/tenant/settings/organizations", &t, policy(true))
        .await
        .assert_status(200);
    c.post(ORGS, &t, json!({"code": "A3", "name": "Sales"}))
        .await
        .assert_status(201);
    c.post(ORGS, &t, json!({"code": "A4", "name": "Sales"}))
        .await
        .assert_error("ORG.0013");
    c.put(
        &format!("{ORGS}/{first}"),
        &t,
        json!({"category": "company"}),
    )
    .await
    .assert_status(200);
    c.post(ORGS, &t, json!({"code": "B1", "name": "Support"}))
        .await
        .assert_status(201);
    c.put(&format!("{ORGS}/{first}"), &t, json!({"name": "Support"}))
        .await
        .assert_error("ORG.0013");
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn oneaccess_input_rules_report_not_found_first_then_in_documented_order(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let c = &server.client;
    c.put(
        &format!("{ORGS}/no-such-org"),
        &t,
        json!({"code": "bad code", "category": "team"}),
    )
    .await
    .assert_error("ORG.0001");
    c.post(
        ORGS,
        &t,
        json!({"code": "", "name": "n", "category": "team"}),
    )
    .await
    .assert_error("ORG.0010");
    c.post(
        ORGS,
        &t,
        json!({"code": "c", "name": "", "category": "team"}),
    )
    .await
    .assert_error("ORG.0011");
    let created = c.post(ORGS, &t, json!({"code": "c", "name": "n"})).await;
    let org_id = created.assert_status(201)["org_id"]
        .as_str()
        .unwrap()
        .to_string();
    let org = c.get(&format!("{ORGS}/{org_id}"), &t).await;
    assert_eq!(org.assert_status(200)["category"], "department");
    c.put(
        &format!("{ORGS}/{org_id}"),
        &t,
        json!({"name": "bad/name", "category": "team"}),
    )
    .await
    .assert_error("ORG.0015");
    server.finish().await;
}

on_both_engines!(
    an_old_database_opens_answers_as_before_and_replays_identically,
    sibling_names_may_repeat_when_the_tenant_policy_allows_it,
    oneaccess_input_rules_report_not_found_first_then_in_documented_order,
);
