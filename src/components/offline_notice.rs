use leptos::prelude::*;

use crate::i18n::{tr, track, Key};

/// Says so while the browser is offline. The `role="status"` element is always in the page, so
/// the change is announced; it takes no room while online.
#[component]
pub fn OfflineNotice(
    /// Whether the browser is online.
    #[prop(into)]
    online: Signal<bool>,
) -> impl IntoView {
    view! {
        <p class="notice offline-notice" class:notice-hidden=move || online.get() role="status">
            {move || {
                track();
                (!online.get()).then(|| tr(Key::Offline))
            }}
        </p>
    }
}
