//! Organization plans, their client limits, and the decision "may this organization add a client".

use std::fmt;
use std::str::FromStr;

/// An organization's plan. It caps how many clients the organization may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Plan {
    Free,
    Starter,
    Professional,
    Agency,
    Enterprise,
}

impl Plan {
    pub const ALL: [Self; 5] = [
        Self::Free,
        Self::Starter,
        Self::Professional,
        Self::Agency,
        Self::Enterprise,
    ];
    pub const NAMES: &'static [&'static str] =
        &["free", "starter", "professional", "agency", "enterprise"];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Starter => "starter",
            Self::Professional => "professional",
            Self::Agency => "agency",
            Self::Enterprise => "enterprise",
        }
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown plan {0:?}; expected one of free, starter, professional, agency, enterprise")]
pub struct UnknownPlan(pub String);

impl FromStr for Plan {
    type Err = UnknownPlan;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownPlan(s.to_owned()))
    }
}

/// How many clients a plan allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    Max(u32),
    Unlimited,
}

impl Limit {
    /// Whether an organization holding `current` clients may add one more.
    ///
    /// # Errors
    /// [`LimitReached`] with the numbers a 403 body shows.
    pub fn admit(self, current: u64) -> Result<(), LimitReached> {
        match self {
            Self::Unlimited => Ok(()),
            Self::Max(limit) if current < u64::from(limit) => Ok(()),
            Self::Max(limit) => Err(LimitReached { current, limit }),
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Max(n) => write!(f, "{n}"),
            Self::Unlimited => f.write_str("unlimited"),
        }
    }
}

impl FromStr for Limit {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("unlimited") {
            Ok(Self::Unlimited)
        } else {
            s.parse()
                .map(Self::Max)
                .map_err(|_| format!("invalid limit {s:?}: a number or \"unlimited\""))
        }
    }
}

/// The organization is at its plan's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("You have reached your plan limit of {limit} clients")]
pub struct LimitReached {
    /// Clients the organization holds now.
    pub current: u64,
    /// The plan's limit.
    pub limit: u32,
}

/// The client limit of every plan. Defaults: free 3, starter 5, professional 15, agency 50,
/// enterprise unlimited; each can be overridden by configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanLimits([Limit; 5]);

impl Default for PlanLimits {
    fn default() -> Self {
        Self([
            Limit::Max(3),
            Limit::Max(5),
            Limit::Max(15),
            Limit::Max(50),
            Limit::Unlimited,
        ])
    }
}

impl PlanLimits {
    #[must_use]
    pub const fn limit(&self, plan: Plan) -> Limit {
        self.0[plan as usize]
    }

    /// These limits with `plan`'s replaced.
    #[must_use]
    pub const fn with(mut self, plan: Plan, limit: Limit) -> Self {
        self.0[plan as usize] = limit;
        self
    }

    /// Applies an override written `plan=limit` (`free=10`, `agency=unlimited`).
    ///
    /// # Errors
    /// A one-line description of what is wrong with `spec`.
    pub fn with_override(self, spec: &str) -> Result<Self, String> {
        let (plan, limit) = spec
            .split_once('=')
            .ok_or_else(|| format!("invalid plan limit {spec:?}: expected PLAN=LIMIT"))?;
        let plan: Plan = plan.parse().map_err(|e: UnknownPlan| e.to_string())?;
        Ok(self.with(plan, limit.parse()?))
    }

    /// May an organization on `plan` holding `current` clients add one?
    ///
    /// # Errors
    /// [`LimitReached`] when it may not.
    pub fn admit(&self, plan: Plan, current: u64) -> Result<(), LimitReached> {
        self.limit(plan).admit(current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_parse_case_insensitively() {
        for plan in Plan::ALL {
            assert_eq!(plan.as_str().parse::<Plan>(), Ok(plan));
            assert_eq!(plan.as_str().to_uppercase().parse::<Plan>(), Ok(plan));
            assert_eq!(plan.to_string(), plan.as_str());
        }
        assert_eq!(" Agency ".parse::<Plan>(), Ok(Plan::Agency));
        assert_eq!(
            Plan::ALL.map(Plan::as_str).as_slice(),
            Plan::NAMES,
            "NAMES follows ALL"
        );
    }

    #[test]
    fn unknown_plans_are_refused() {
        for raw in ["", "gold", "pro", "free plan", "enterprise2"] {
            assert_eq!(
                raw.parse::<Plan>(),
                Err(UnknownPlan(raw.to_owned())),
                "{raw:?}"
            );
        }
        assert_eq!(
            UnknownPlan("gold".to_owned()).to_string(),
            "unknown plan \"gold\"; expected one of free, starter, professional, agency, enterprise"
        );
    }

    #[test]
    fn default_limits() {
        let limits = PlanLimits::default();
        assert_eq!(limits.limit(Plan::Free), Limit::Max(3));
        assert_eq!(limits.limit(Plan::Starter), Limit::Max(5));
        assert_eq!(limits.limit(Plan::Professional), Limit::Max(15));
        assert_eq!(limits.limit(Plan::Agency), Limit::Max(50));
        assert_eq!(limits.limit(Plan::Enterprise), Limit::Unlimited);
    }

    #[test]
    fn admit_below_the_limit_refuse_at_it() {
        let limits = PlanLimits::default();
        for (plan, limit) in [
            (Plan::Free, 3),
            (Plan::Starter, 5),
            (Plan::Professional, 15),
            (Plan::Agency, 50),
        ] {
            assert_eq!(limits.admit(plan, 0), Ok(()));
            assert_eq!(limits.admit(plan, u64::from(limit) - 1), Ok(()), "{plan}");
            assert_eq!(
                limits.admit(plan, u64::from(limit)),
                Err(LimitReached {
                    current: u64::from(limit),
                    limit
                }),
                "{plan}"
            );
            assert_eq!(
                limits.admit(plan, u64::from(limit) + 7),
                Err(LimitReached {
                    current: u64::from(limit) + 7,
                    limit
                })
            );
        }
        assert_eq!(limits.admit(Plan::Enterprise, u64::MAX), Ok(()));
    }

    #[test]
    fn limit_reached_message() {
        assert_eq!(
            LimitReached {
                current: 3,
                limit: 3
            }
            .to_string(),
            "You have reached your plan limit of 3 clients"
        );
    }

    #[test]
    fn a_zero_limit_admits_nothing() {
        assert_eq!(
            Limit::Max(0).admit(0),
            Err(LimitReached {
                current: 0,
                limit: 0
            })
        );
    }

    #[test]
    fn limits_parse_and_display() {
        assert_eq!("10".parse::<Limit>(), Ok(Limit::Max(10)));
        assert_eq!(" 0 ".parse::<Limit>(), Ok(Limit::Max(0)));
        assert_eq!("Unlimited".parse::<Limit>(), Ok(Limit::Unlimited));
        assert_eq!(Limit::Max(7).to_string(), "7");
        assert_eq!(Limit::Unlimited.to_string(), "unlimited");
        for raw in ["", "-1", "1.5", "ten", "4294967296", "infinite"] {
            assert!(raw.parse::<Limit>().is_err(), "{raw:?}");
        }
        assert_eq!(
            "ten".parse::<Limit>(),
            Err("invalid limit \"ten\": a number or \"unlimited\"".to_owned())
        );
    }

    #[test]
    fn overrides() {
        let limits = PlanLimits::default()
            .with_override("free=10")
            .expect("free=10")
            .with_override("AGENCY = unlimited")
            .expect("agency=unlimited")
            .with_override("enterprise=1000")
            .expect("enterprise=1000");
        assert_eq!(limits.limit(Plan::Free), Limit::Max(10));
        assert_eq!(limits.limit(Plan::Agency), Limit::Unlimited);
        assert_eq!(limits.limit(Plan::Enterprise), Limit::Max(1000));
        assert_eq!(limits.limit(Plan::Starter), Limit::Max(5));
        assert_eq!(limits.admit(Plan::Free, 9), Ok(()));
        assert_eq!(
            limits.admit(Plan::Free, 10),
            Err(LimitReached {
                current: 10,
                limit: 10
            })
        );
        assert_eq!(
            PlanLimits::default()
                .with(Plan::Starter, Limit::Unlimited)
                .limit(Plan::Starter),
            Limit::Unlimited
        );
    }

    #[test]
    fn bad_overrides() {
        let base = PlanLimits::default();
        assert_eq!(
            base.with_override("free"),
            Err("invalid plan limit \"free\": expected PLAN=LIMIT".to_owned())
        );
        assert_eq!(
            base.with_override("gold=3"),
            Err(UnknownPlan("gold".to_owned()).to_string())
        );
        for spec in ["", "=3", "free=", "free=-1", "free=lots", "free=1=2"] {
            assert!(base.with_override(spec).is_err(), "{spec:?}");
        }
    }
}
