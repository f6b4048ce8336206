use leptos::prelude::*;

/// A load that failed: what went wrong in plain words, and a way to try again.
#[component]
pub fn LoadError(
    /// Plain words from `ApiError::user_message`.
    #[prop(into)]
    message: String,
    /// Starts the load again.
    #[prop(into)]
    on_retry: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="card load-error" role="alert">
            <h2 class="load-error-title">"Something went wrong"</h2>
            <p>{message}</p>
            <button type="button" class="btn btn-primary" on:click=move |_| on_retry.run(())>
                "Try again"
            </button>
        </div>
    }
}
