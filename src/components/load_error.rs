use leptos::prelude::*;

use crate::i18n::{says, t, Key, Message};

/// A load that failed: what went wrong in plain words, and a way to try again.
#[component]
pub fn LoadError(
    /// Plain words from `ApiError::user_message`.
    message: Message,
    /// Starts the load again.
    #[prop(into)]
    on_retry: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="card load-error" role="alert">
            <h2 class="load-error-title">{t(Key::SomethingWentWrong)}</h2>
            <p>{says(message)}</p>
            <button type="button" class="btn btn-primary" on:click=move |_| on_retry.run(())>
                {t(Key::TryAgain)}
            </button>
        </div>
    }
}
