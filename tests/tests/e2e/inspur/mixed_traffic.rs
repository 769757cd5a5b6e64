//! One directory, two dialects (issue 15): a reproducible stream of random changes through the
//! Inspur and the OneAccess APIs — organisations, users (made, changed and leaving through
//! either), groups, user types, extended fields and values, grants — after which a replay from the event log rebuilds every read model exactly,
//! and each dialect still sees what the other made.

use idaas_tests::inspur::call;
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

/// A small deterministic generator (xorshift), so a failure can be replayed.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % sides as u64) as usize
    }

    fn pick<'a>(&mut self, items: &'a [String]) -> Option<&'a String> {
        (!items.is_empty()).then(|| &items[self.roll(items.len())])
    }
}

fn id_of(answer: &(u16, Value), key: &str) -> Option<String> {
    (answer.0 == 200)
        .then(|| answer.1["data"][key].as_str().map(str::to_string))
        .flatten()
}

async fn random_traffic_through_both_dialects_replays_identically(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let mut dice = Dice(0x2545_F491_4F6C_DD1D);
    let (mut organs, mut users, mut groups, mut fields, mut types) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let app = idaas_tests::sso::register(&server, &t, "Mixed", json!({}))
        .await
        .application_id;
    for step in 0..100 {
        match dice.roll(12) {
            0 => {
                let parent = dice.pick(&organs).cloned().unwrap_or_else(|| "-1".into());
                let body = json!({"name": format!("organ{step}"), "code": format!("C{step}"), "parentId": parent, "order": step});
                if let Some(id) = id_of(
                    &call(&server, &t, Method::POST, "/idaas/v1/organs", Some(body)).await,
                    "id",
                ) {
                    organs.push(id);
                }
            }
            1 => {
                let body = json!({"code": format!("OA{step}"), "name": format!("oa{step}")});
                let made = server
                    .client
                    .post("/api/v2/tenant/organizations", &t, body)
                    .await;
                if let Some(id) = made.body["org_id"].as_str() {
                    organs.push(id.to_string());
                }
            }
            2 => {
                let body = json!({"user_name": format!("user{step}"), "name": format!("User {step}"),
                                  "mobile": format!("139{step:08}")});
                let made = server.client.post("/api/v2/tenant/users", &t, body).await;
                if let Some(id) = made.body["user_id"].as_str() {
                    users.push(id.to_string());
                }
            }
            3 => {
                if let Some(organ) = dice.pick(&organs).cloned() {
                    let body = json!({"name": format!("group{step}"), "organId": organ});
                    if let Some(id) = id_of(
                        &call(&server, &t, Method::POST, "/idaas/v1/groups", Some(body)).await,
                        "id",
                    ) {
                        groups.push(id);
                    }
                }
            }
            4 => {
                if let (Some(group), Some(user)) =
                    (dice.pick(&groups).cloned(), dice.pick(&users).cloned())
                {
                    let path = format!("/idaas/v1/groups/{group}/users");
                    call(
                        &server,
                        &t,
                        Method::POST,
                        &path,
                        Some(json!({"userIdList": [user]})),
                    )
                    .await;
                }
            }
            5 => {
                let body = json!({"fieldName": format!("f{step}"), "fieldClassification": 0, "fieldType": 1, "isUnique": dice.roll(2)});
                if let Some(id) = id_of(
                    &call(
                        &server,
                        &t,
                        Method::POST,
                        "/idaas/v1/extendedfields",
                        Some(body),
                    )
                    .await,
                    "id",
                ) {
                    fields.push(id);
                }
            }
            6 => {
                if let (Some(field), Some(user)) =
                    (dice.pick(&fields).cloned(), dice.pick(&users).cloned())
                {
                    let body = json!({"externalId": user, "fieldClassification": 0, "extendedFieldId": field,
                                      "fieldType": 1, "fieldValue": format!("v{}", dice.roll(4))});
                    call(
                        &server,
                        &t,
                        Method::POST,
                        "/idaas/v1/fieldvalue",
                        Some(body),
                    )
                    .await;
                }
            }
            7 => {
                if let Some(organ) = dice.pick(&organs).cloned() {
                    let status = 1 + dice.roll(2);
                    let path =
                        format!("/idaas/v1/organs/{organ}/action/change-status?status={status}");
                    call(&server, &t, Method::POST, &path, None).await;
                    let body = json!({"appIdList": [app], "action": if dice.roll(2) == 0 { "auth" } else { "unauth" }});
                    call(
                        &server,
                        &t,
                        Method::POST,
                        &format!("/idaas/v1/organs/{organ}/action/auth"),
                        Some(body),
                    )
                    .await;
                }
            }
            9 => {
                if let (Some(organ), Some(user_type)) =
                    (dice.pick(&organs).cloned(), dice.pick(&types).cloned())
                {
                    let body = json!({"accountName": format!("acct{step}"), "phone": format!("137{step:08}"),
                                      "nickName": format!("账户{step}"), "expirationTime": "2099-12-31",
                                      "organizationId": organ, "userType": user_type,
                                      "p6d": idaas_tests::sso::PASSWORD});
                    let path = "/idaas/v1/user/createUser";
                    if call(&server, &t, Method::POST, path, Some(body)).await.0 == 200 {
                        let path = format!("/idaas/v1/user/page/1/1?accountName=acct{step}");
                        let page = call(&server, &t, Method::POST, &path, None).await;
                        if let Some(id) = page.1["data"]["data"][0]["id"].as_str() {
                            users.push(id.to_string());
                        }
                    }
                }
            }
            10 => {
                if let Some(user) = dice.pick(&users).cloned() {
                    let status = ["0", "1", "2"][dice.roll(3)];
                    let body = json!({"id": user, "externalId": format!("x{step}"), "status": status,
                                      "nickName": format!("改{step}")});
                    call(
                        &server,
                        &t,
                        Method::POST,
                        "/idaas/v1/user/updateUser",
                        Some(body),
                    )
                    .await;
                }
            }
            11 => {
                if let Some(user) = dice.pick(&users).cloned() {
                    let body = json!({"idList": [user]});
                    call(
                        &server,
                        &t,
                        Method::POST,
                        "/idaas/v1/user/dimission",
                        Some(body),
                    )
                    .await;
                }
            }
            _ => {
                let body = json!({"name": format!("type{}", dice.roll(5)), "code": format!("t{step}"), "order": step});
                let made = call(&server, &t, Method::POST, "/idaas/v1/userType", Some(body)).await;
                if let Some(id) = made.1["data"].as_str().filter(|_| made.0 == 200) {
                    types.push(id.to_string());
                }
            }
        }
    }
    assert!(
        organs.len() >= 3 && users.len() >= 3,
        "the traffic reached the directory"
    );
    // Each dialect sees the other's organisations.
    let inspur_roots = call(
        &server,
        &t,
        Method::GET,
        "/idaas/v1/organs/-1/sub-organs/page/1/1000",
        None,
    )
    .await;
    let oneaccess_roots = server
        .client
        .get(
            "/api/v2/tenant/organizations?org_id=&all_child=false&offset=0&limit=100",
            &t,
        )
        .await;
    assert_eq!(
        inspur_roots.1["data"]["totalCount"],
        oneaccess_roots.body["total"]
    );
    // ... and the same users: Inspur lists those who left only when asked for.
    let count = |query: &'static str| {
        let (server, t) = (&server, &t);
        async move {
            let path = format!("/idaas/v1/user/page/1/1{query}");
            call(server, t, Method::POST, &path, None).await.1["data"]["totalCount"]
                .as_u64()
                .unwrap()
        }
    };
    let (staying, left) = (count("").await, count("?status=0").await);
    let oneaccess_users = server
        .client
        .get("/api/v2/tenant/users?offset=0&limit=10", &t)
        .await;
    assert_eq!(
        Some(staying + left),
        oneaccess_users.body["total"].as_u64(),
        "{}",
        oneaccess_users.body
    );
    assert!(
        left > 0 && staying > left,
        "users left ({left} of {staying})"
    );
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(random_traffic_through_both_dialects_replays_identically);
