use leptos::prelude::*;

use super::icons::MaskIcon;
use crate::domain::find::Sort;
use crate::i18n::{t, tr, track, Key};

/// Finding and ordering a long list of organizations: a labelled search box that filters as
/// you type, and a native `<select>` of orders. Both are plain form controls (keyboard and
/// screen readers know them); the page keeps them in the address.
#[component]
pub fn FindBar(
    /// What is typed, as typed.
    text: RwSignal<String>,
    /// The order.
    #[prop(into)]
    sort: Signal<Sort>,
    /// The person typed.
    #[prop(into)]
    on_text: Callback<String>,
    /// The person chose an order.
    #[prop(into)]
    on_sort: Callback<Sort>,
) -> impl IntoView {
    let options = move || {
        track();
        let current = sort.get();
        Sort::ALL
            .into_iter()
            .map(|s| {
                let label = tr(match s {
                    Sort::Name => Key::SortName,
                    Sort::RecentSignIn => Key::SortSignin,
                    Sort::RecentlyJoined => Key::SortJoined,
                });
                view! {
                    <option value=s.as_param() selected=s == current>
                        {label}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <div class="find-bar" role="search">
            <div class="find-field">
                <label for="find-organizations">{t(Key::FindLabel)}</label>
                <span class="find-input">
                    <MaskIcon name="icon icon-search" />
                    <input
                        id="find-organizations"
                        type="search"
                        autocomplete="off"
                        spellcheck="false"
                        dir="auto"
                        aria-describedby="find-hint"
                        prop:value=move || text.get()
                        on:input=move |event| {
                            let typed = event_target_value(&event);
                            text.set(typed.clone());
                            on_text.run(typed);
                        }
                    />
                </span>
                <p id="find-hint" class="field-hint">
                    {t(Key::FindHint)}
                </p>
            </div>
            <div class="sort-field">
                <label for="sort-organizations">{t(Key::SortLabel)}</label>
                <select
                    id="sort-organizations"
                    on:change=move |event| {
                        on_sort.run(Sort::from_param(Some(&event_target_value(&event))))
                    }
                >
                    {options}
                </select>
            </div>
        </div>
    }
}
