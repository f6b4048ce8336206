//! The fake backend's new operations answer as the API does, so browser tests of the page that
//! lean on them test the page, not a fake that behaves otherwise.

use myorgs::api::{ApiError, Backend};
use myorgs::domain::{AccessKind, LastUsed, RemovalRequest};
use wasm_bindgen_test::*;

use super::{access_items, organization_not_found, FakeBackend};
use crate::{demo, FABRIKAM, NORTHWIND, WOODGROVE};

const ACCESS: &str = r#"{"value": [
    {"id": "11111111-1111-4111-8111-111111111111", "kind": "app",
     "displayName": "Contoso Expenses", "lastUsedDateTime": "2026-11-29T10:00:00Z"},
    {"id": "22222222-2222-4222-8222-222222222222", "kind": "group",
     "displayName": "  ", "lastUsedDateTime": null},
    {"id": "33333333-3333-4333-8333-333333333333", "kind": "team",
     "displayName": "Northwind Launch", "lastUsedDateTime": null}
]}"#;

#[wasm_bindgen_test]
async fn the_fake_lists_access_scripted_delayed_or_failing() {
    let backend = demo()
        .with_access_json(WOODGROVE, ACCESS)
        .with_access(NORTHWIND, access_items(250));
    let woodgrove = backend.access(WOODGROVE).await.unwrap();
    let names: Vec<&str> = woodgrove.iter().map(|i| i.display_name.as_str()).collect();
    assert_eq!(names, ["Contoso Expenses", "Northwind Launch"]);
    assert_eq!(woodgrove[1].kind, AccessKind::Team);
    let long = backend.access(NORTHWIND).await.unwrap();
    assert_eq!(long.len(), 250);
    assert!(matches!(long[0].last_used, LastUsed::At(_)));
    assert_eq!(long[249].last_used, LastUsed::Never, "never used last");
    assert_eq!(backend.access(FABRIKAM).await, Ok(vec![]));
    assert_eq!(
        backend.access("00000000-0000-4000-8000-000000000000").await,
        Err(organization_not_found())
    );
    backend.state().access_errors.push_back(ApiError::Timeout);
    backend.state().access_delay_ms = 5;
    assert_eq!(backend.access(WOODGROVE).await, Err(ApiError::Timeout));
    assert_eq!(backend.state().access_calls.len(), 5);
}

#[wasm_bindgen_test]
async fn the_fake_takes_removal_requests_as_the_api_does() {
    let backend = demo();
    let first = backend
        .request_removal(WOODGROVE, Some("Please remove me.".into()))
        .await
        .unwrap();
    assert_eq!(first.message.as_deref(), Some("Please remove me."));
    // The organization shows it; asking again answers the pending one.
    let shown = |backend: &FakeBackend| -> Option<RemovalRequest> {
        let s = backend.state();
        s.orgs
            .iter()
            .find(|o| o.id == WOODGROVE)
            .and_then(|o| o.removal_request.clone())
    };
    assert_eq!(shown(&backend), Some(first.clone()));
    assert_eq!(
        backend.request_removal(WOODGROVE, None).await,
        Ok(first.clone())
    );
    // Where there is nothing to ask, and messages the API would refuse.
    assert_eq!(
        backend.request_removal(FABRIKAM, None).await,
        Err(ApiError::RemovalNotApplicable)
    );
    assert_eq!(
        backend
            .request_removal(WOODGROVE, Some("x".repeat(501)))
            .await,
        Err(ApiError::MessageTooLong)
    );
    assert_eq!(
        backend
            .request_removal(WOODGROVE, Some("a\u{7}".into()))
            .await,
        Err(ApiError::InvalidMessage)
    );
    // Cancelling clears it; a scripted failure leaves it.
    backend
        .state()
        .cancel_results
        .push_back(Err(ApiError::Network));
    assert_eq!(
        backend.cancel_removal(WOODGROVE, &first.id).await,
        Err(ApiError::Network)
    );
    assert_eq!(shown(&backend), Some(first.clone()));
    assert_eq!(backend.cancel_removal(WOODGROVE, &first.id).await, Ok(()));
    assert_eq!(shown(&backend), None);
    // Scripted answers come first.
    backend
        .state()
        .removal_results
        .push_back(Err(ApiError::Timeout));
    assert_eq!(
        backend.request_removal(WOODGROVE, None).await,
        Err(ApiError::Timeout)
    );
    let second = backend.request_removal(WOODGROVE, None).await.unwrap();
    assert_ne!(second.id, first.id);
    let s = backend.state();
    assert_eq!(s.removal_calls.len(), 7);
    assert_eq!(
        s.cancel_calls,
        [
            (WOODGROVE.to_string(), first.id.clone()),
            (WOODGROVE.to_string(), first.id.clone())
        ]
    );
}
