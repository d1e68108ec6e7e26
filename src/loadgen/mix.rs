//! The endpoint mix of a load: which requests, in which proportions.

use std::fmt;
use std::str::FromStr;

use rand::Rng;
use serde::{Deserialize, Serialize};

/// One kind of request the generator sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `GET /api/balance`
    Balance,
    /// `POST /api/transfer` between two random accounts, a few cents, so
    /// money circulates and no account drains even over hours.
    Transfer,
    /// `GET /health`
    Health,
    /// `GET /api/accounts`
    Accounts,
    /// `POST /api/balance-bulk` with `{"count": 5}`: five reads at once.
    BalanceBulk,
}

impl Endpoint {
    pub const ALL: [Endpoint; 5] = [
        Endpoint::Balance,
        Endpoint::Transfer,
        Endpoint::Health,
        Endpoint::Accounts,
        Endpoint::BalanceBulk,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Balance => "balance",
            Endpoint::Transfer => "transfer",
            Endpoint::Health => "health",
            Endpoint::Accounts => "accounts",
            Endpoint::BalanceBulk => "balance_bulk",
        }
    }
}

/// Weights per endpoint, e.g. `balance=3,transfer=1,health=1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mix(pub Vec<(Endpoint, u32)>);

impl Default for Mix {
    fn default() -> Self {
        Mix(vec![
            (Endpoint::Balance, 3),
            (Endpoint::Transfer, 1),
            (Endpoint::Health, 1),
        ])
    }
}

impl Mix {
    /// Draws one endpoint with probability proportional to its weight.
    pub fn pick(&self, rng: &mut impl Rng) -> Endpoint {
        let total: u32 = self.0.iter().map(|(_, w)| w).sum();
        let mut roll = rng.random_range(0..total.max(1));
        for (e, w) in &self.0 {
            if roll < *w {
                return *e;
            }
            roll -= w;
        }
        Endpoint::Health
    }
}

impl fmt::Display for Mix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(e, w)| format!("{}={w}", e.name()))
            .collect();
        f.write_str(&parts.join(","))
    }
}

impl FromStr for Mix {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let names = Endpoint::ALL.map(Endpoint::name).join(", ");
        let mut parts = Vec::new();
        for item in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, weight) = item
                .split_once('=')
                .ok_or_else(|| format!("`{item}` is not NAME=WEIGHT (e.g. balance=3)"))?;
            let endpoint = Endpoint::ALL
                .into_iter()
                .find(|e| e.name() == name.trim())
                .ok_or_else(|| format!("unknown endpoint `{}`; use one of {names}", name.trim()))?;
            let weight: u32 = weight.trim().parse().map_err(|_| {
                format!(
                    "weight of `{}` must be a whole number, got `{}`",
                    name.trim(),
                    weight.trim()
                )
            })?;
            if parts.iter().any(|(e, _)| *e == endpoint) {
                return Err(format!("`{}` is given twice", endpoint.name()));
            }
            parts.push((endpoint, weight));
        }
        if parts.iter().map(|(_, w)| w).sum::<u32>() == 0 {
            return Err(format!(
                "the mix needs at least one positive weight among {names}"
            ));
        }
        Ok(Mix(parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mix_parses_and_prints_back() {
        let mix: Mix = "balance=3, transfer=1,health=1".parse().unwrap();
        assert_eq!(mix, Mix::default());
        assert_eq!(mix.to_string(), "balance=3,transfer=1,health=1");
    }

    #[test]
    fn a_bad_mix_names_the_problem() {
        assert!(
            "balanse=3"
                .parse::<Mix>()
                .unwrap_err()
                .contains("unknown endpoint `balanse`")
        );
        assert!(
            "balance"
                .parse::<Mix>()
                .unwrap_err()
                .contains("NAME=WEIGHT")
        );
        assert!(
            "balance=x"
                .parse::<Mix>()
                .unwrap_err()
                .contains("whole number")
        );
        assert!(
            "balance=0"
                .parse::<Mix>()
                .unwrap_err()
                .contains("positive weight")
        );
    }

    #[test]
    fn picks_follow_the_weights() {
        let mix: Mix = "balance=3,health=1".parse().unwrap();
        let mut rng = rand::rng();
        let balance = (0..40_000)
            .filter(|_| mix.pick(&mut rng) == Endpoint::Balance)
            .count();
        assert!((29_000..31_000).contains(&balance), "{balance}");
    }
}
