//! Inspur user groups (specs/inspur-idaas.md §2.12, GRP-01…09): saved in an organisation,
//! members added and removed idempotently, pages of groups, of a user's groups, of members and of
//! candidates (with `isMember`), detail and delete; users are the directory's (OneAccess) users.

use idaas_tests::inspur::{call, data};
use idaas_tests::sso;
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::json;

async fn groups_hold_the_directorys_users(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let organ = data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/organs",
            Some(json!({"name": "总部", "parentId": "-1", "code": "HQ"})),
        )
        .await,
    );
    let organ_id = organ["id"].as_str().unwrap().to_string();
    let lzy = sso::user(&server, &t, "lzy", "13800000001").await;
    let zhang = sso::user(&server, &t, "zhangsan", "13800000002").await;
    // GRP-04: create, then edit; the organisation and external id stay.
    let body = json!({"name": "应用使能组", "externalId": "g-ext", "description": "d", "organId": organ_id});
    let group = data(&call(&server, &t, Method::POST, "/idaas/v1/groups", Some(body)).await);
    let id = group["id"].as_str().unwrap().to_string();
    assert_eq!(group["organName"], "总部");
    let edit = json!({"id": id, "name": "新组", "organId": "other", "externalId": "x"});
    let edited = data(&call(&server, &t, Method::POST, "/idaas/v1/groups", Some(edit)).await);
    assert_eq!(
        (
            edited["name"].clone(),
            edited["organId"].clone(),
            edited["externalId"].clone()
        ),
        (json!("新组"), json!(organ_id), json!("g-ext"))
    );
    let nowhere = json!({"name": "x", "organId": "missing"});
    let refused = call(&server, &t, Method::POST, "/idaas/v1/groups", Some(nowhere)).await;
    assert_eq!(refused.0, 400);
    // GRP-03 / GRP-01: idempotent; unknown users refused.
    let users = |ids: &[&str]| json!({"userIdList": ids});
    let add = format!("/idaas/v1/groups/{id}/users");
    assert_eq!(
        data(
            &call(
                &server,
                &t,
                Method::POST,
                &add,
                Some(users(&[&lzy, &zhang]))
            )
            .await
        ),
        json!(true)
    );
    data(&call(&server, &t, Method::POST, &add, Some(users(&[&lzy]))).await);
    let unknown = call(&server, &t, Method::POST, &add, Some(users(&["nobody"]))).await;
    assert_eq!(unknown.0, 400);
    // GRP-08 members, GRP-05 candidates with isMember, GRP-06 a user's groups, GRP-07 groups.
    let members = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/groups/{id}/members/page/1/10"),
            None,
        )
        .await,
    );
    assert_eq!(members["totalCount"], 2);
    assert_eq!(members["data"][0]["accountName"], "lzy");
    assert!(members["data"][0].get("isMember").is_none());
    let filtered = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/groups/{id}/members/page/1/10?accountName=zhang"),
            None,
        )
        .await,
    );
    assert_eq!(filtered["totalCount"], 1);
    let remove = format!("/idaas/v1/groups/{id}/users/remove");
    data(&call(&server, &t, Method::POST, &remove, Some(users(&[&zhang]))).await);
    let candidates = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/groups/{id}/users/page/1/10"),
            None,
        )
        .await,
    );
    let flags: Vec<(String, i64)> = candidates["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["accountName"].as_str().unwrap().to_string(),
                u["isMember"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(flags, [("lzy".to_string(), 1), ("zhangsan".to_string(), 0)]);
    let mine = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/users/{lzy}/groups/page/1/10?groupName=新"),
            None,
        )
        .await,
    );
    assert_eq!(mine["totalCount"], 1);
    assert_eq!(mine["data"][0]["memberCount"], 1);
    let theirs = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/users/{zhang}/groups/page/1/10"),
            None,
        )
        .await,
    );
    assert_eq!(theirs["totalCount"], 0);
    let by_organ = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/groups/page/1/10?organId={organ_id}"),
            None,
        )
        .await,
    );
    assert_eq!(by_organ["totalCount"], 1);
    // GRP-09, GRP-02: the deleted group is answered and gone.
    let detail = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/groups/{id}"),
            None,
        )
        .await,
    );
    assert_eq!(detail["name"], "新组");
    let deleted = data(
        &call(
            &server,
            &t,
            Method::DELETE,
            &format!("/idaas/v1/groups/{id}"),
            None,
        )
        .await,
    );
    assert_eq!(deleted["id"], json!(id));
    let gone = call(
        &server,
        &t,
        Method::GET,
        &format!("/idaas/v1/groups/{id}"),
        None,
    )
    .await;
    assert_eq!(gone.0, 404);
    let mine = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/users/{lzy}/groups/page/1/10"),
            None,
        )
        .await,
    );
    assert_eq!(mine["totalCount"], 0);
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(groups_hold_the_directorys_users);
