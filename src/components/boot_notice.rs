use leptos::prelude::*;

use crate::domain::i18n::fill;
use crate::i18n::{t, template_of, tr, Key};

/// A page of its own before the portal runs: signing in, signed out, why signing in didn't
/// work, or a broken `config.json`, with the one thing to do next.
#[component]
pub fn BootNotice(
    /// The page's heading (and, for the signed-in-progress state, its only text).
    title: Key,
    /// What happened, in plain words.
    #[prop(optional)]
    message: Option<Key>,
    /// The button's words ("Sign in", "Sign in again"); no button while signing in.
    #[prop(optional)]
    action: Option<Key>,
    /// What the button does.
    #[prop(optional)]
    on_action: Option<Callback<()>>,
    /// A problem (the heading is the page's alert) rather than a state.
    #[prop(optional)]
    is_error: bool,
) -> impl IntoView {
    // The tab is named for the notice too, in the page's language (WCAG 2.4.2), not left at
    // index.html's English title.
    Effect::new(move |_| {
        document().set_title(&fill(&template_of(Key::PageTitle), &[("page", &tr(title))]));
    });
    let class = if is_error {
        "boot boot-error"
    } else {
        "boot boot-notice"
    };
    view! {
        <main class=class aria-busy=action.is_none().then_some("true")>
            <h1>{t(title)}</h1>
            {message.map(|message| view! { <p>{t(message)}</p> })}
            {action
                .map(|label| {
                    view! {
                        <button
                            class="btn btn-primary"
                            on:click=move |_| {
                                if let Some(on_action) = on_action {
                                    on_action.run(());
                                }
                            }
                        >
                            {t(label)}
                        </button>
                    }
                })}
        </main>
    }
}
