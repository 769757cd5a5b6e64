//! Inspur organisations (specs/inspur-idaas.md §1, §2.1): the envelope, the token carriers, the
//! printed and intended paths, 1-based pages, ORG-01…07, ORG-10/11, and the same directory seen
//! through the OneAccess API both ways.

use idaas_tests::inspur::{call, data};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

async fn organs_follow_the_documented_rules_and_are_one_directory_with_oneaccess(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    // ORG-03 with the document's create body, at the printed path with its repeated prefix.
    let root = call(
        &server,
        &t,
        Method::POST,
        "/idaas/v1/idaas/v1/organs",
        Some(json!({"name": "哈哈", "parentId": "-1", "description": "akwkhdh", "code": "IDaas", "order": 1})),
    )
    .await;
    assert_eq!(root.1["message"], "成功");
    let root = data(&root);
    let root_id = root["id"].as_str().unwrap().to_string();
    assert_eq!(root["parentId"], "-1");
    assert_eq!(root["status"], "1");
    assert_eq!(root["isLeaf"], "1");
    assert_eq!(root["order"], 1);
    assert_eq!(
        root["externalId"].as_str().map(str::len),
        Some(32),
        "generated"
    );
    let created = root["createdTime"].as_str().unwrap();
    assert_eq!(created.len(), "2021-08-11 16:41:19".len(), "{created}");
    let child = data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/organs",
            Some(
                json!({"name": "sss", "parentId": root_id, "code": "asas11", "order": "3",
                        "externalId": "kuwdh"}),
            ),
        )
        .await,
    );
    let child_id = child["id"].as_str().unwrap().to_string();
    // ORG-06: the full form with the name path; the parent is no longer a leaf.
    let detail = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/organs/{child_id}"),
            None,
        )
        .await,
    );
    assert_eq!(detail["path"], "/哈哈/sss");
    assert_eq!(detail["externalId"], "kuwdh");
    assert!(detail.get("regionCode").is_some());
    let parent = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/organs/{root_id}"),
            None,
        )
        .await,
    );
    assert_eq!(parent["isLeaf"], "0");
    // The same organisations through the OneAccess API, and one of OneAccess's through Inspur.
    let oa = server
        .client
        .get(&format!("/api/v2/tenant/organizations/{child_id}"), &t)
        .await;
    assert_eq!(oa.assert_status(200)["parent_id"], json!(root_id));
    assert_eq!(oa.body["org_code"], "asas11");
    let from_oa = server
        .client
        .post(
            "/api/v2/tenant/organizations",
            &t,
            json!({"code": "OA1", "name": "From OneAccess", "parent_id": root_id}),
        )
        .await;
    let oa_id = from_oa.assert_status(201)["org_id"]
        .as_str()
        .unwrap()
        .to_string();
    let seen = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/organs/{oa_id}"),
            None,
        )
        .await,
    );
    assert_eq!(seen["code"], "OA1");
    // ORG-03 update: name, order and description change; parentId and externalId do not.
    let updated = call(
        &server,
        &t,
        Method::POST,
        "/idaas/v1/organs",
        Some(json!({"id": child_id, "name": "sss2", "order": 2, "parentId": "-1", "externalId": "x"})),
    )
    .await;
    let updated = data(&updated);
    assert_eq!(updated["name"], "sss2");
    assert_eq!(updated["order"], 2);
    assert_eq!(updated["parentId"], json!(root_id));
    assert_eq!(updated["externalId"], "kuwdh");
    // ORG-04 (1-based pages, disabled included) and ORG-05 (enabled only), both in order.
    let status = call(
        &server,
        &t,
        Method::POST,
        &format!("/idaas/v1/organs/{oa_id}/action/change-status?status=2"),
        None,
    )
    .await;
    assert_eq!(data(&status), "2");
    let page = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/organs/{root_id}/sub-organs/page/1/10"),
            None,
        )
        .await,
    );
    assert_eq!(
        (page["code"].clone(), page["msg"].clone()),
        (json!(1), Value::Null)
    );
    assert_eq!(
        (
            page["pageNo"].clone(),
            page["totalCount"].clone(),
            page["pages"].clone()
        ),
        (json!(1), json!(2), json!(1))
    );
    let names: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["sss2", "From OneAccess"],
        "order first, then creation"
    );
    let found = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/organs/{root_id}/sub-organs/page/1/10?name=One"),
            None,
        )
        .await,
    );
    assert_eq!(found["totalCount"], 1);
    let tree = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/organs/{root_id}/sub-organs/list"),
            None,
        )
        .await,
    );
    assert_eq!(
        tree.as_array().unwrap().len(),
        1,
        "the disabled one is hidden: {tree}"
    );
    let roots = data(
        &call(
            &server,
            &t,
            Method::GET,
            "/idaas/v1/organs/-1/sub-organs/list",
            None,
        )
        .await,
    );
    assert_eq!(roots.as_array().unwrap().len(), 1);
    for bad in ["0/10", "1/0", "x/10", "1/1001"] {
        let (status, envelope) = call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/organs/{root_id}/sub-organs/page/{bad}"),
            None,
        )
        .await;
        assert_eq!(
            (status, envelope["code"].clone()),
            (400, json!("400")),
            "{bad}"
        );
    }
    // ORG-10/11: true = free to use; an organ's own value is free for it.
    for (path, body, free) in [
        ("verify-code", json!({"code": "asas11"}), false),
        (
            "verify-code",
            json!({"code": "asas11", "organId": child_id}),
            true,
        ),
        ("verify-code", json!({"code": "new"}), true),
        ("verify-externalId", json!({"erternalId": "kuwdh"}), false),
        ("verify-externalId", json!({"externalId": "other"}), true),
    ] {
        let answer = call(
            &server,
            &t,
            Method::POST,
            &format!("/idaas/v1/organs/action/{path}"),
            Some(body.clone()),
        )
        .await;
        assert_eq!(data(&answer), json!(free), "{path} {body}");
    }
    // ORG-07: not under itself; to the top level with -1.
    let cycle = call(
        &server,
        &t,
        Method::POST,
        "/idaas/v1/organs/action/move",
        Some(json!({"id": root_id, "parentId": child_id})),
    )
    .await;
    assert_eq!(cycle.0, 400, "{}", cycle.1);
    let moved = data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/organs/action/move",
            Some(json!({"id": child_id, "parentId": "-1"})),
        )
        .await,
    );
    assert_eq!(moved["parentId"], "-1");
    // ORG-01: refused while children remain; a leaf goes with status "0" and is gone.
    let refused = call(
        &server,
        &t,
        Method::DELETE,
        &format!("/idaas/v1/organs/{root_id}"),
        None,
    )
    .await;
    assert_eq!(refused.0, 400);
    assert!(
        refused.1["message"].as_str().unwrap().contains("禁止删除"),
        "{}",
        refused.1
    );
    assert_eq!(refused.1["data"], Value::Null);
    let deleted = data(
        &call(
            &server,
            &t,
            Method::DELETE,
            &format!("/idaas/v1/organs/{child_id}"),
            None,
        )
        .await,
    );
    assert_eq!(deleted["status"], "0");
    let gone = call(
        &server,
        &t,
        Method::GET,
        &format!("/idaas/v1/organs/{child_id}"),
        None,
    )
    .await;
    assert_eq!((gone.0, gone.1["code"].clone()), (404, json!("404")));
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn the_token_comes_in_any_documented_carrier_and_nothing_without_one(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let addr = server.server.as_ref().unwrap().addr;
    let url = format!("http://{addr}/idaas/v1/organs/-1/sub-organs/list");
    let http = reqwest::Client::new();
    let by_header = http.get(&url).header("token", &t).send().await.unwrap();
    assert_eq!(by_header.status(), 200);
    let by_query = http.get(format!("{url}?token={t}")).send().await.unwrap();
    assert_eq!(by_query.status(), 200);
    let without = http.get(&url).send().await.unwrap();
    assert_eq!(without.status(), 401);
    let envelope: Value = without.json().await.unwrap();
    assert_eq!(
        (envelope["code"].clone(), envelope["status"].clone()),
        (json!("401"), json!(401))
    );
    assert_eq!(envelope["message"], "token无效或已过期");
    let double_slash = http
        .get(format!("http://{addr}/idaas/v1//organs/-1/sub-organs/list"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(double_slash.status(), 200);
    server.finish().await;
}

on_both_engines!(
    organs_follow_the_documented_rules_and_are_one_directory_with_oneaccess,
    the_token_comes_in_any_documented_carrier_and_nothing_without_one,
);
