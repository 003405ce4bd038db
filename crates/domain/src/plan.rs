//! Organization plans, their client limits, and the decision "may this organization add a client".

use std::fmt;
use std::str::FromStr;

/// An organization's plan. It caps how many clients the organization may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Plan {
    /// `free`: 3 clients by default.
    Free,
    /// `starter`: 5 clients by default.
    Starter,
    /// `professional`: 15 clients by default.
    Professional,
    /// `agency`: 50 clients by default.
    Agency,
    /// `enterprise`: unlimited by default.
    Enterprise,
}

impl Plan {
    /// Every plan, from the smallest to the largest.
    pub const ALL: [Self; 5] = [
        Self::Free,
        Self::Starter,
        Self::Professional,
        Self::Agency,
        Self::Enterprise,
    ];
    /// Every plan's wire name, in the order of [`Plan::ALL`].
    pub const NAMES: &'static [&'static str] =
        &["free", "starter", "professional", "agency", "enterprise"];

    /// The wire name: `free`, `starter`, `professional`, `agency` or `enterprise`. Parsing
    /// ([`str::parse`]) accepts it ignoring case and surrounding whitespace.
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

    /// The plan's name as people read it: `Free`, `Starter`, `Professional`, `Agency`,
    /// `Enterprise`.
    #[must_use]
    pub const fn display_name(self) -> &'static str {
        match self {
            Self::Free => "Free",
            Self::Starter => "Starter",
            Self::Professional => "Professional",
            Self::Agency => "Agency",
            Self::Enterprise => "Enterprise",
        }
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not the name of a plan. Holds the text as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown plan {0:?}; expected one of free, starter, professional, agency, enterprise")]
#[non_exhaustive]
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

/// How many clients a plan allows. Written as a number or `unlimited` (any case) in
/// configuration, and displayed the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// At most this many clients (0 admits none).
    Max(u32),
    /// No limit.
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
    /// `plan`'s limit.
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

    /// How much of `plan`'s limit an organization holding `used` clients uses.
    #[must_use]
    pub const fn usage(&self, plan: Plan, used: u64) -> Usage {
        Usage {
            plan,
            used,
            limit: self.limit(plan),
        }
    }

    /// May an organization on `plan` holding `current` clients add one?
    ///
    /// # Errors
    /// [`LimitReached`] when it may not.
    pub fn admit(&self, plan: Plan, current: u64) -> Result<(), LimitReached> {
        self.limit(plan).admit(current)
    }
}

/// How much of its plan an organization uses: what a web app shows as "2 of 3 clients on the
/// Free plan", and whether it should offer "Add client" or an upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// The plan whose limit applies (an expired trial counts as [`Plan::Free`]).
    pub plan: Plan,
    /// Clients the organization holds.
    pub used: u64,
    /// The plan's limit.
    pub limit: Limit,
}

impl Usage {
    /// From this share of the limit on, an organization is near its limit.
    pub const NEAR_LIMIT_PERCENT: u64 = 80;

    /// The limit, or `None` on an unlimited plan.
    #[must_use]
    pub const fn limit(&self) -> Option<u32> {
        match self.limit {
            Limit::Max(n) => Some(n),
            Limit::Unlimited => None,
        }
    }

    /// Clients that may still be added, or `None` on an unlimited plan (0 past the limit, as
    /// after a downgrade).
    #[must_use]
    pub const fn remaining(&self) -> Option<u64> {
        match self.limit {
            Limit::Max(n) => Some((n as u64).saturating_sub(self.used)),
            Limit::Unlimited => None,
        }
    }

    /// The share of the limit in use, rounded to a whole percent and at most 100; 0 on an
    /// unlimited plan.
    #[must_use]
    pub const fn percentage(&self) -> u64 {
        match self.limit {
            Limit::Unlimited => 0,
            Limit::Max(0) => 100,
            Limit::Max(n) => {
                let n = n as u64;
                let p = (self.used.saturating_mul(100) + n / 2) / n;
                if p > 100 { 100 } else { p }
            }
        }
    }

    /// Whether no client may be added (never on an unlimited plan).
    #[must_use]
    pub const fn is_at_limit(&self) -> bool {
        match self.limit {
            Limit::Max(n) => self.used >= n as u64,
            Limit::Unlimited => false,
        }
    }

    /// Whether the organization uses at least [`Self::NEAR_LIMIT_PERCENT`] of its limit (never
    /// on an unlimited plan).
    #[must_use]
    pub const fn is_near_limit(&self) -> bool {
        match self.limit {
            Limit::Max(n) => self.used.saturating_mul(100) >= Self::NEAR_LIMIT_PERCENT * n as u64,
            Limit::Unlimited => false,
        }
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

    #[test]
    fn usage_of_a_limited_plan() {
        let limits = PlanLimits::default();
        let u = limits.usage(Plan::Free, 2);
        assert_eq!(
            (u.limit(), u.remaining(), u.percentage()),
            (Some(3), Some(1), 67)
        );
        assert!(!u.is_at_limit());
        assert!(!u.is_near_limit(), "66 % is not near");
        let at = limits.usage(Plan::Free, 3);
        assert!(at.is_at_limit() && at.is_near_limit());
        assert_eq!((at.remaining(), at.percentage()), (Some(0), 100));
        let near = limits.usage(Plan::Starter, 4);
        assert!(near.is_near_limit() && !near.is_at_limit(), "80 % is near");
        let below = limits.usage(Plan::Professional, 11);
        assert!(!below.is_near_limit(), "73 %");
        let over = limits.usage(Plan::Free, 7);
        assert_eq!((over.remaining(), over.percentage()), (Some(0), 100));
        assert!(over.is_at_limit());
        let zero = PlanLimits::default()
            .with(Plan::Free, Limit::Max(0))
            .usage(Plan::Free, 0);
        assert!(zero.is_at_limit());
        assert_eq!(zero.percentage(), 100);
    }

    #[test]
    fn usage_of_an_unlimited_plan() {
        let u = PlanLimits::default().usage(Plan::Enterprise, 1_000_000);
        assert_eq!((u.limit(), u.remaining(), u.percentage()), (None, None, 0));
        assert!(!u.is_at_limit() && !u.is_near_limit());
    }

    #[test]
    fn plans_have_display_names() {
        let names: Vec<_> = Plan::ALL.iter().map(|p| p.display_name()).collect();
        assert_eq!(
            names,
            ["Free", "Starter", "Professional", "Agency", "Enterprise"]
        );
    }
}
