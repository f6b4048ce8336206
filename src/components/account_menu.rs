use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

use super::app_header::PersonBadge;
use super::sentence::named_sentence;
use crate::domain::Me;
use crate::i18n::{t, Key};

/// Who is signed in, as a disclosure button that opens the account menu (their name and email,
/// at every width) with "Sign out". A
/// disclosure (not an ARIA menu): the button says whether it is expanded, Tab moves through the
/// panel, Escape closes it and returns focus to the button, and a click elsewhere closes it.
#[component]
pub fn AccountMenu(
    /// The signed-in person.
    me: Me,
    /// Signs the person out (the app ends the session at the provider).
    on_sign_out: Callback<()>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let button = NodeRef::<html::Button>::new();
    let close_and_return = move || {
        open.set(false);
        if let Some(button) = button.get_untracked() {
            let _ = button.focus();
        }
    };
    let on_keydown = move |event: KeyboardEvent| {
        if event.key() == "Escape" && open.get_untracked() {
            event.prevent_default();
            close_and_return();
        }
    };
    // A click outside the menu, or focus leaving it, closes it.
    let on_focusout = move |event: leptos::ev::FocusEvent| {
        let inside = event
            .related_target()
            .and_then(|target| wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(target).ok())
            .zip(event.current_target())
            .and_then(|(next, menu)| {
                wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(menu)
                    .ok()
                    .map(|menu| menu.contains(Some(&next)))
            })
            .unwrap_or(false);
        if !inside {
            open.set(false);
        }
    };
    let name = me.display_name.clone();
    let email = me.user_principal_name.clone();
    view! {
        <div class="account" on:keydown=on_keydown on:focusout=on_focusout>
            <button
                node_ref=button
                class="person account-button"
                aria-expanded=move || open.get().to_string()
                aria-controls="account-panel"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <PersonBadge me />
                <span class="visually-hidden">{t(Key::AccountMenuSuffix)}</span>
            </button>
            <div id="account-panel" class="account-panel" hidden=move || !open.get()>
                <p class="account-who">{named_sentence(Key::SignedInAs, name)}</p>
                <p class="account-email" dir="auto">
                    {email}
                </p>
                <button class="btn" on:click=move |_| on_sign_out.run(())>
                    {t(Key::SignOut)}
                </button>
            </div>
        </div>
    }
}
