use leptos::prelude::*;

use crate::i18n::{t, Key};

/// Skeleton cards in the real layout's shape while organizations load; `aria-busy` and a
/// visually hidden line tell screen readers what is happening.
#[component]
pub fn LoadingCards(
    /// What is loading, e.g. "Loading your organizations…".
    label: Key,
    /// How many placeholder cards.
    count: usize,
) -> impl IntoView {
    view! {
        <div class="loading" aria-busy="true">
            <p class="visually-hidden" role="status">
                {t(label)}
            </p>
            {(0..count)
                .map(|_| {
                    view! {
                        <div class="card skeleton-card" aria-hidden="true">
                            <span class="skeleton skeleton-title"></span>
                            <span class="skeleton skeleton-line"></span>
                            <span class="skeleton skeleton-line short"></span>
                        </div>
                    }
                })
                .collect_view()}
        </div>
    }
}
