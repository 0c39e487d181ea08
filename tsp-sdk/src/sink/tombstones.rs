//! A bounded memory of things that are over (finished requests, closed calls, closed lines), so the
//! sink can still name a late callback for what it is ("completed twice", "after close") without
//! growing for as long as a server runs.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// How many finished items of each kind the sink remembers. A callback about an item forgotten
/// since is still refused, as "unknown" instead of by its precise rule.
pub(crate) const REMEMBERED: usize = 4096;

/// The last [`REMEMBERED`] keys put in, each with a value; the oldest is forgotten first.
#[derive(Debug)]
pub(crate) struct Tombstones<K, V> {
    order: VecDeque<K>,
    values: HashMap<K, V>,
}

impl<K, V> Default for Tombstones<K, V> {
    fn default() -> Self {
        Tombstones {
            order: VecDeque::new(),
            values: HashMap::new(),
        }
    }
}

impl<K: Copy + Eq + Hash, V> Tombstones<K, V> {
    /// Remembers `key` (again, if it was there: it becomes the newest).
    pub(crate) fn insert(&mut self, key: K, value: V) {
        if self.values.insert(key, value).is_some() {
            self.order.retain(|k| *k != key);
        }
        self.order.push_back(key);
        while self.order.len() > REMEMBERED {
            if let Some(old) = self.order.pop_front() {
                self.values.remove(&old);
            }
        }
    }

    /// What is remembered of `key`.
    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        self.values.get(key)
    }

    /// Forgets `key` (it is alive again: a request id reused).
    pub(crate) fn remove(&mut self, key: &K) {
        if self.values.remove(key).is_some() {
            self.order.retain(|k| k != key);
        }
    }

    /// How many keys are remembered.
    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_tombstone_is_forgotten_first() {
        let mut t = Tombstones::default();
        for i in 0..REMEMBERED + 10 {
            t.insert(i, ());
        }
        assert_eq!(t.len(), REMEMBERED);
        assert!(t.get(&9).is_none());
        assert!(t.get(&10).is_some());
        assert!(t.get(&(REMEMBERED + 9)).is_some());
    }

    #[test]
    fn reinserting_a_key_keeps_one_entry() {
        let mut t = Tombstones::default();
        t.insert(1, 'a');
        t.insert(1, 'b');
        assert_eq!(t.len(), 1);
        assert_eq!(t.get(&1), Some(&'b'));
        t.remove(&1);
        assert_eq!(t.len(), 0);
    }
}
