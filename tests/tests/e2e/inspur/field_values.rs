//! Inspur extended-field values (specs/inspur-idaas.md §2.5, FV-01…06), checked against the
//! field's definition, and a user's values among the OneAccess user's extension attributes.

use idaas_tests::inspur::{call, data};
use idaas_tests::sso;
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::json;

async fn values_follow_their_fields_and_show_in_oneaccess(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let user = sso::user(&server, &t, "valued", "13800000077").await;
    let field = |body: serde_json::Value| {
        let (server, t) = (&server, &t);
        async move {
            let created = data(
                &call(
                    server,
                    t,
                    Method::POST,
                    "/idaas/v1/extendedfields",
                    Some(body),
                )
                .await,
            );
            created["id"].as_str().unwrap().to_string()
        }
    };
    let country =
        field(json!({"fieldName":"country","fieldClassification":0,"fieldType":0,"isUnique":1}))
            .await;
    let note =
        field(json!({"fieldName":"note","fieldClassification":0,"fieldType":1,"isEditable":0}))
            .await;
    let option = json!([{"extendedFieldId": country, "label":"加拿大","value":"加拿大","status":1},
                        {"extendedFieldId": country, "label":"中国","value":"中国","status":1}]);
    data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/dropdownlist/batch",
            Some(option),
        )
        .await,
    );
    // FV-01 (an array; numbers for enums), with the document's shape.
    let batch = json!([
        {"externalId": user, "fieldClassification": 0, "extendedFieldId": country, "fieldType": 0, "fieldValue": "加拿大"},
        {"externalId": user, "fieldClassification": "0", "extendedFieldId": note, "fieldType": "1", "fieldValue": "hello"}
    ]);
    let saved = data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/fieldvalue/batch",
            Some(batch),
        )
        .await,
    );
    assert_eq!(saved.as_array().unwrap().len(), 2);
    assert_eq!(
        (
            saved[0]["fieldClassification"].clone(),
            saved[0]["fieldType"].clone()
        ),
        (json!("0"), json!("0"))
    );
    let country_value = saved[0]["id"].as_str().unwrap().to_string();
    let note_value = saved[1]["id"].as_str().unwrap().to_string();
    // Checked against the definition: an option, the class and type, an owner that exists.
    for (bad, why) in [
        (
            json!({"externalId": user, "fieldClassification": 0, "extendedFieldId": country, "fieldType": 0, "fieldValue": "火星"}),
            "not an option",
        ),
        (
            json!({"externalId": user, "fieldClassification": 2, "extendedFieldId": country, "fieldType": 0, "fieldValue": "中国"}),
            "class",
        ),
        (
            json!({"externalId": "nobody", "fieldClassification": 0, "extendedFieldId": note, "fieldType": 1, "fieldValue": "x"}),
            "owner",
        ),
    ] {
        let answer = call(&server, &t, Method::POST, "/idaas/v1/fieldvalue", Some(bad)).await;
        assert_eq!(answer.0, 400, "{why}: {}", answer.1);
    }
    // A unique field's value is one entity's: another user cannot take it.
    let other = sso::user(&server, &t, "other", "13800000078").await;
    let taken = json!({"externalId": other, "fieldClassification": 0, "extendedFieldId": country, "fieldType": 0, "fieldValue": "加拿大"});
    assert_eq!(
        call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/fieldvalue",
            Some(taken)
        )
        .await
        .0,
        400
    );
    // FV-06: true = free.
    let verify =
        |value: &str| format!("/idaas/v1/fieldvalue/{country}/action/verify-value/{value}");
    assert_eq!(
        data(
            &call(
                &server,
                &t,
                Method::POST,
                &verify("%E5%8A%A0%E6%8B%BF%E5%A4%A7"),
                None
            )
            .await
        ),
        json!(false)
    );
    assert_eq!(
        data(
            &call(
                &server,
                &t,
                Method::POST,
                &verify("%E4%B8%AD%E5%9B%BD"),
                None
            )
            .await
        ),
        json!(true)
    );
    // FV-03: an editable field's value changes; a non-editable one's does not.
    let changed = call(
        &server,
        &t,
        Method::POST,
        "/idaas/v1/fieldvalue/update",
        Some(json!({"id": country_value, "fieldValue": "中国"})),
    )
    .await;
    assert_eq!(changed.1["message"], "成功");
    assert_eq!(data(&changed)["fieldName"], "country");
    let locked = call(
        &server,
        &t,
        Method::POST,
        "/idaas/v1/fieldvalue/update",
        Some(json!({"id": note_value, "fieldValue": "bye"})),
    )
    .await;
    assert_eq!(locked.0, 400);
    // FV-05, and the same values among the OneAccess user's extension attributes.
    let values = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/fieldvalue/{user}"),
            None,
        )
        .await,
    );
    assert_eq!(values.as_array().unwrap().len(), 2);
    let detail = server
        .client
        .get(&format!("/api/v2/tenant/users/{user}"), &t)
        .await;
    let extension = detail.assert_status(200)["extension"].clone();
    assert_eq!(
        (extension["country"].clone(), extension["note"].clone()),
        (json!("中国"), json!("hello"))
    );
    // FV-04: every value of the user goes; the old unique value is free again.
    let removed = data(
        &call(
            &server,
            &t,
            Method::DELETE,
            &format!("/idaas/v1/fieldvalue/externalId/{user}"),
            None,
        )
        .await,
    );
    assert_eq!(removed.as_array().unwrap().len(), 2);
    let values = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/fieldvalue/{user}"),
            None,
        )
        .await,
    );
    assert_eq!(values, json!([]));
    assert_eq!(
        data(
            &call(
                &server,
                &t,
                Method::POST,
                &verify("%E4%B8%AD%E5%9B%BD"),
                None
            )
            .await
        ),
        json!(true)
    );
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(values_follow_their_fields_and_show_in_oneaccess);
