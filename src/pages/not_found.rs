use leptos::prelude::*;

use super::set_title;

/// Any path the app doesn't know: says so, and offers a way back.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    set_title("Page not found");
    view! {
        <h1>"Page not found"</h1>
        <div class="card not-found">
            <p>
                "There's no page at this address. It may have moved, or the link may be mistyped."
            </p>
            <p>
                <a href="/">"Go to Overview"</a>
                " or "
                <a href="/organizations">"see your organizations"</a>
                "."
            </p>
        </div>
    }
}
