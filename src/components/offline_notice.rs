use leptos::prelude::*;

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
                (!online.get())
                    .then_some(
                        "You're offline. What's on the page stays; it updates when you're back online.",
                    )
            }}
        </p>
    }
}
