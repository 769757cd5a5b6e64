//! Organisation management end to end (specs/oneaccess.md §2.3 #14–#18, ORG.* codes).

use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::{json, Value};

const ORGS: &str = "/api/v2/tenant/organizations";

async fn create(server: &TestServer, token: &str, body: Value) -> String {
    let reply = server.client.post(ORGS, token, body).await;
    reply.assert_status(201)["org_id"]
        .as_str()
        .expect("org_id")
        .to_string()
}

fn ids(list: &Value) -> Vec<String> {
    list["organizations"]
        .as_array()
        .expect("organizations")
        .iter()
        .map(|o| o["org_id"].as_str().unwrap().to_string())
        .collect()
}

async fn organisations_are_created_read_updated_and_deleted(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let root = create(&server, &t, json!({"code": "10000", "name": "总部"})).await;
    assert_eq!(root.len(), 32, "OneAccess id shape: {root}");
    let child = create(
        &server,
        &t,
        json!({"code": "1000001", "name": "子部门", "parent_id": root, "category": "department"}),
    )
    .await;
    let detail = server.client.get(&format!("{ORGS}/{child}"), &t).await;
    assert_eq!(
        detail.assert_status(200),
        &json!({"org_id": child, "org_code": "1000001", "name": "子部门", "parent_id": root, "category": "department"})
    );
    let root_detail = server.client.get(&format!("{ORGS}/{root}"), &t).await;
    assert_eq!(root_detail.body["parent_id"], Value::Null);
    assert_eq!(root_detail.body["category"], "department");

    // The documented update example: empty parent_id leaves the parent unchanged.
    let updated = server
        .client
        .put(
            &format!("{ORGS}/{child}"),
            &t,
            json!({"code": "TestOrg", "name": "测试机构", "parent_id": "", "category": "company"}),
        )
        .await;
    assert_eq!(updated.assert_status(200), &json!({"org_id": child}));
    let detail = server.client.get(&format!("{ORGS}/{child}"), &t).await;
    assert_eq!(detail.body["org_code"], "TestOrg");
    assert_eq!(detail.body["name"], "测试机构");
    assert_eq!(detail.body["parent_id"], json!(root));
    assert_eq!(detail.body["category"], "company");
    // Omitting fields keeps them.
    server
        .client
        .put(&format!("{ORGS}/{child}"), &t, json!({}))
        .await
        .assert_status(200);
    let again = server.client.get(&format!("{ORGS}/{child}"), &t).await;
    assert_eq!(again.body, detail.body);

    server
        .client
        .delete(&format!("{ORGS}/{root}"), &t)
        .await
        .assert_error("ORG.0016");
    let deleted = server.client.delete(&format!("{ORGS}/{child}"), &t).await;
    assert_eq!(deleted.status.as_u16(), 204);
    assert!(deleted.text.is_empty());
    server
        .client
        .get(&format!("{ORGS}/{child}"), &t)
        .await
        .assert_error("ORG.0001");
    server
        .client
        .delete(&format!("{ORGS}/{child}"), &t)
        .await
        .assert_error("ORG.0001");
    // The code and sibling name are free again.
    create(
        &server,
        &t,
        json!({"code": "TestOrg", "name": "测试机构", "parent_id": root}),
    )
    .await;
    server.finish().await;
}

async fn listing_follows_the_four_documented_cases(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let a = create(&server, &t, json!({"code": "A", "name": "A"})).await;
    let b = create(&server, &t, json!({"code": "B", "name": "B"})).await;
    let a1 = create(
        &server,
        &t,
        json!({"code": "A1", "name": "A1", "parent_id": a}),
    )
    .await;
    let a11 = create(
        &server,
        &t,
        json!({"code": "A11", "name": "A11", "parent_id": a1}),
    )
    .await;
    let b1 = create(
        &server,
        &t,
        json!({"code": "B1", "name": "B1", "parent_id": b}),
    )
    .await;
    let list = |query: String| {
        let client = server.client.clone();
        let t = t.clone();
        async move { client.get(&format!("{ORGS}?{query}"), &t).await }
    };
    let roots = list("org_id=&all_child=false&offset=0&limit=10".into()).await;
    assert_eq!(roots.assert_status(200)["total"], 2);
    assert_eq!(ids(&roots.body), [a.clone(), b.clone()]);
    // Every organisation, the roots included, as the reference's example of #18 shows (its text
    // says "except the roots"; specs/oneaccess.md §5 #17, ADR 0002).
    let all = list("org_id=&all_child=true&offset=0&limit=100".into()).await;
    assert_eq!(
        ids(&all.body),
        [a.clone(), b.clone(), a1.clone(), a11.clone(), b1.clone()]
    );
    let children = list(format!("org_id={a}&all_child=false&offset=0&limit=10")).await;
    assert_eq!(ids(&children.body), [a.clone(), a1.clone()]);
    let subtree = list(format!("org_id={a}&all_child=true&offset=0&limit=10")).await;
    assert_eq!(ids(&subtree.body), [a.clone(), a1.clone(), a11.clone()]);
    assert_eq!(subtree.body["total"], 3);

    // Moving A1 under B moves its whole subtree.
    server
        .client
        .put(&format!("{ORGS}/{a1}"), &t, json!({"parent_id": b}))
        .await
        .assert_status(200);
    let b_tree = list(format!("org_id={b}&all_child=true&offset=0&limit=10")).await;
    assert_eq!(
        ids(&b_tree.body),
        [b.clone(), a1.clone(), a11.clone(), b1.clone()]
    );
    let a_tree = list(format!("org_id={a}&all_child=true&offset=0&limit=10")).await;
    assert_eq!(ids(&a_tree.body), vec![a.clone()]);
    // `"parent_id": null` moves it back to the top level; absent or "" leaves it where it is
    // (the documented update example sends "", and #17 shows that organisation still under its
    // parent; ADR 0002).
    for unchanged in [json!({"name": "A1"}), json!({"parent_id": ""})] {
        server
            .client
            .put(&format!("{ORGS}/{a1}"), &t, unchanged)
            .await
            .assert_status(200);
        let b_tree = list(format!("org_id={b}&all_child=true&offset=0&limit=10")).await;
        assert_eq!(ids(&b_tree.body).len(), 4, "not moved");
    }
    server
        .client
        .put(&format!("{ORGS}/{a1}"), &t, json!({"parent_id": null}))
        .await
        .assert_status(200);
    let roots = list("org_id=&all_child=false&offset=0&limit=10".into()).await;
    assert_eq!(ids(&roots.body), [a.clone(), b.clone(), a1.clone()]);
    server
        .client
        .put(&format!("{ORGS}/{a1}"), &t, json!({"parent_id": b}))
        .await
        .assert_status(200);

    // Paging: offset is a zero-based page index.
    for i in 0..12 {
        create(
            &server,
            &t,
            json!({"code": format!("P{i}"), "name": format!("P{i}"), "parent_id": a}),
        )
        .await;
    }
    let page0 = list(format!("org_id={a}&all_child=false&offset=0&limit=10")).await;
    let page1 = list(format!("org_id={a}&all_child=false&offset=1&limit=10")).await;
    assert_eq!(page0.body["total"], 13);
    assert_eq!(ids(&page0.body).len(), 10);
    assert_eq!(ids(&page1.body).len(), 3);
    for bad in [
        "limit=9",
        "limit=101",
        "limit=x",
        "offset=-1&limit=10",
        "offset=a&limit=10",
    ] {
        list(bad.into()).await.assert_error("PAGE.0001");
    }
    list("org_id=nope&offset=0&limit=10".into())
        .await
        .assert_error("ORG.0001");
    server.finish().await;
}

async fn bad_organisation_input_gets_the_documented_codes(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let root = create(&server, &t, json!({"code": "R", "name": "Root"})).await;
    let child = create(
        &server,
        &t,
        json!({"code": "C", "name": "Child", "parent_id": root}),
    )
    .await;
    let grandchild = create(
        &server,
        &t,
        json!({"code": "G", "name": "Grand", "parent_id": child}),
    )
    .await;
    let cases = [
        (json!({"name": "x"}), "ORG.0010"),
        (json!({"code": "", "name": "x"}), "ORG.0010"),
        (json!({"code": "x"}), "ORG.0011"),
        (json!({"code": "bad code!", "name": "x"}), "ORG.0014"),
        (json!({"code": "a".repeat(65), "name": "x"}), "ORG.0014"),
        (json!({"code": "x", "name": "bad/name"}), "ORG.0015"),
        (json!({"code": "x", "name": "n".repeat(101)}), "ORG.0015"),
        (json!({"code": "R", "name": "x"}), "ORG.0012"),
        (
            json!({"code": "x", "name": "Child", "parent_id": root}),
            "ORG.0013",
        ),
        (
            json!({"code": "x", "name": "x", "parent_id": "no-such-org"}),
            "ORG.0002",
        ),
        (
            json!({"code": "x", "name": "x", "category": "team"}),
            "ORG.0018",
        ),
    ];
    for (body, code) in cases {
        server.client.post(ORGS, &t, body).await.assert_error(code);
    }
    // The same name is fine under another parent.
    create(&server, &t, json!({"code": "x", "name": "Child"})).await;
    let update = |org: &str, body: Value| {
        let client = server.client.clone();
        let t = t.clone();
        let path = format!("{ORGS}/{org}");
        async move { client.put(&path, &t, body).await }
    };
    update(&child, json!({"parent_id": child}))
        .await
        .assert_error("ORG.0017");
    update(&root, json!({"parent_id": grandchild}))
        .await
        .assert_error("ORG.0017");
    update(&child, json!({"parent_id": "no-such-org"}))
        .await
        .assert_error("ORG.0002");
    update(&child, json!({"code": "R"}))
        .await
        .assert_error("ORG.0012");
    update(&child, json!({"code": "bad code"}))
        .await
        .assert_error("ORG.0014");
    update("no-such-org", json!({"name": "x"}))
        .await
        .assert_error("ORG.0001");
    let malformed = server
        .client
        .send(
            reqwest::Method::POST,
            ORGS,
            Some(&t),
            None,
            &[("content-type", "application/json")],
        )
        .await;
    malformed.assert_error("ORG.0010");
    let zh = server.client.get_zh(&format!("{ORGS}/nope"), &t).await;
    assert_eq!(
        zh.body,
        json!({"error_code": "ORG.0001", "error_msg": "组织不存在"})
    );
    let en = server.client.get(&format!("{ORGS}/nope"), &t).await;
    assert_eq!(
        en.body,
        json!({"error_code": "ORG.0001", "error_msg": "Organization does not exist."})
    );
    server.finish().await;
}

on_both_engines!(
    organisations_are_created_read_updated_and_deleted,
    listing_follows_the_four_documented_cases,
    bad_organisation_input_gets_the_documented_codes,
);
