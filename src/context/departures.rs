//! "Recently left": the organizations the person left in the last days the API keeps, and
//! forgetting one.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{Api, Load};
use crate::api::Doing;
use crate::domain::i18n::{Key, Message};
use crate::domain::Departure;

/// The departures' load and what was forgotten in this visit; `Copy`.
#[derive(Clone, Copy)]
pub struct Departures {
    pub load: Load<Vec<Departure>>,
    /// IDs forgotten in this visit: the list leaves them out without loading again.
    pub forgotten: RwSignal<Vec<String>>,
    /// IDs whose "Forget" is in flight: the button says so and ignores clicks.
    pub forgetting: RwSignal<Vec<String>>,
    notice: RwSignal<Option<Message>>,
    api: StoredValue<Api>,
}

impl Departures {
    pub fn new(api: Api, load: Load<Vec<Departure>>, notice: RwSignal<Option<Message>>) -> Self {
        Departures {
            load,
            forgotten: RwSignal::new(Vec::new()),
            forgetting: RwSignal::new(Vec::new()),
            notice,
            api: StoredValue::new(api),
        }
    }

    /// Forgets one departure: gone from the list once the API has done it ("Forgot Fabrikam."
    /// in the toast); a failure keeps it and says why there.
    pub fn forget(&self, departure: &Departure) {
        let id = departure.id.clone();
        if self.forgetting.with_untracked(|f| f.contains(&id)) {
            return;
        }
        self.forgetting.update(|f| f.push(id.clone()));
        let name = departure.display_name.clone();
        let api = self.api.get_value();
        let this = *self;
        spawn_local(async move {
            let result = api.0.forget_departure(&id).await;
            this.forgetting.try_update(|f| f.retain(|x| *x != id));
            match result {
                Ok(()) => {
                    this.forgotten.try_update(|f| f.push(id));
                    this.notice.try_set(Some(Message::named(Key::Forgot, name)));
                }
                Err(error) => {
                    leptos::logging::warn!("forgetting departure {id} failed: {error}");
                    let mut words = error.user_message(Doing::Forgetting);
                    words.name = Some(name);
                    this.notice.try_set(Some(words));
                }
            }
        });
    }
}
