"""Tabular regression (RMSE): taxi fares from pickup/dropoff points, time and passengers.

Analogue of MLE-bench lite's new-york-city-taxi-fare-prediction. Generator
(seeded): 5,000 rides in a city shaped like New York (a dense core, outer
districts, three airports). The fare is a metered fare (flag drop, a rate per
km of road distance and per minute of travel time, night and rush-hour
surcharges, a rate rise in the data's fourth year) or, for core-airport rides,
an airport flat fare; some rides cross a toll bridge. What a model cannot see
makes the top of the board imperfect: each ride's detour factor and traffic,
tolls paid on only some crossings, meter noise, and a few fares keyed in
wrongly. 1% of rides have their coordinates missing (0, 0), as in the real data.

A first submission (the population's mid and weak tiers, the benchmark's untuned HGB) models what the
competition's starter notebook built: the coordinates, the latitude/longitude differences and the
straight-line km, the passenger count, the pickup time's parts. The engineered features (the strong tier) add
what the top kernels found: each end's distance to the three airports and the core (flat fares, the airport
surcharge), the grid distance and the bearing (bridges), the day count (the rate rise), the meter's night and
weekday-rush periods, a flag for missing coordinates.

Not a lookup: nothing comes from a public data set, and the seed and the
generator live in trainfree's source, which solution scripts cannot read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeAlias

import numpy as np
import pandas as pd

from envs.mle.builtin import BuiltinSpec, Features, columns_answers, opaque_ids, tabular_public
from envs.mle.competition import CompetitionConfig

N = 5000
CORE = (40.758, -73.982)
AIRPORTS = {"jfk": (40.6413, -73.7781), "lga": (40.7769, -73.8740), "ewr": (40.6895, -74.1745)}
DISTRICTS = ((40.68, -73.95), (40.73, -73.83), (40.84, -73.89), (40.60, -74.10))
START = np.datetime64("2009-01-01T00:00:00")
RATE_RISE = np.datetime64("2012-09-04T00:00:00")
COORDS = ("pickup_longitude", "pickup_latitude", "dropoff_longitude", "dropoff_latitude")


Coordinate: TypeAlias = "np.ndarray | pd.Series | float"


def haversine_km(lat1: Coordinate, lon1: Coordinate, lat2: Coordinate, lon2: Coordinate) -> np.ndarray:
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


def _places(rng: np.random.Generator, n: int) -> np.ndarray:
    """(lat, lon) of n points: mostly the core, some outer districts."""
    core = np.column_stack([rng.normal(CORE[0], 0.025, n), rng.normal(CORE[1], 0.015, n)])
    district = np.array(DISTRICTS)[rng.integers(0, len(DISTRICTS), n)] + rng.normal(0, 0.03, (n, 2))
    return np.where((rng.random(n) < 0.82)[:, None], core, district)


def _rides(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pickup and dropoff points, and which airport (or '') a ride is to or from."""
    pickup = _places(rng, N)
    bearing = rng.uniform(0, 2 * np.pi, N)
    km = np.clip(rng.lognormal(np.log(2.2), 0.75, N), 0.2, 40)
    dropoff = pickup + np.column_stack([km / 111.0 * np.cos(bearing), km / 84.0 * np.sin(bearing)])
    airport = np.full(N, "", dtype=object)
    to_airport = rng.random(N) < 0.09
    names = rng.choice(list(AIRPORTS), N, p=[0.5, 0.35, 0.15])
    spot = np.array([AIRPORTS[a] for a in names]) + rng.normal(0, 0.004, (N, 2))
    outbound = rng.random(N) < 0.5
    pickup = np.where((to_airport & ~outbound)[:, None], spot, pickup)
    dropoff = np.where((to_airport & outbound)[:, None], spot, dropoff)
    airport[to_airport] = names[to_airport]
    return pickup, dropoff, airport


def _fare(rng: np.random.Generator, pickup: np.ndarray, dropoff: np.ndarray, airport: np.ndarray, when) -> np.ndarray:
    straight = haversine_km(pickup[:, 0], pickup[:, 1], dropoff[:, 0], dropoff[:, 1])
    road = straight * rng.uniform(1.15, 1.55, N) + 0.1
    stamp = pd.DatetimeIndex(when)
    hour, weekday = stamp.hour.to_numpy(), stamp.day_of_week.to_numpy()
    rush = (weekday < 5) & (((hour >= 7) & (hour < 10)) | ((hour >= 16) & (hour < 20)))
    night = (hour >= 20) | (hour < 6)
    speed = np.where(rush, 14.0, np.where(night, 30.0, 20.0)) * rng.lognormal(0, 0.25, N)  # km/h
    minutes = road / speed * 60
    after_rise = when >= RATE_RISE
    per_km = np.where(after_rise, 1.56, 1.25)
    slow_minutes = minutes * np.where(rush, 0.45, 0.2)  # time spent below the meter's speed threshold
    fare = 2.5 + per_km * road + 0.5 * slow_minutes + 0.5 * night + 1.0 * (rush & (hour >= 16)) * after_rise
    near_core = np.minimum(
        haversine_km(pickup[:, 0], pickup[:, 1], *CORE), haversine_km(dropoff[:, 0], dropoff[:, 1], *CORE)
    )
    flat = (airport == "jfk") & (near_core < 6)
    fare = np.where(flat, np.where(after_rise, 52.0, 45.0), fare)
    fare = fare + np.where(airport == "ewr", 15.0, 0.0)
    crosses = (np.abs(pickup[:, 1] - dropoff[:, 1]) > 0.06) & (rng.random(N) < 0.35)
    fare = fare + crosses * np.where(after_rise, 5.33, 4.8)
    fare = fare + rng.normal(0, 0.6, N) * np.sqrt(1 + road / 5)
    typo = rng.random(N) < 0.006
    fare = np.where(typo, rng.uniform(2.5, 60.0, N), fare)
    return np.round(np.clip(fare, 2.5, None) * 2, 1) / 2


def generate(rng: np.random.Generator) -> pd.DataFrame:
    pickup, dropoff, airport = _rides(rng)
    hours = rng.choice(24, N, p=_hour_weights())
    days = rng.integers(0, 6 * 365 + 160, N)
    when = START + (days * 86400 + hours * 3600 + rng.integers(0, 3600, N)).astype("timedelta64[s]")
    fare = _fare(rng, pickup, dropoff, airport, when)
    suffixes = opaque_ids(rng, N, 0, 10**7)
    frame = pd.DataFrame(
        {
            "key": [f"{str(t).replace('T', ' ')}.{k:07d}" for k, t in zip(suffixes, when, strict=True)],
            "fare_amount": fare,
            "pickup_datetime": [f"{str(t).replace('T', ' ')} UTC" for t in when],
            "pickup_longitude": pickup[:, 1].round(6),
            "pickup_latitude": pickup[:, 0].round(6),
            "dropoff_longitude": dropoff[:, 1].round(6),
            "dropoff_latitude": dropoff[:, 0].round(6),
            "passenger_count": rng.choice([1, 2, 3, 4, 5, 6], N, p=[0.69, 0.15, 0.04, 0.02, 0.07, 0.03]),
        }
    )
    missing = rng.random(N) < 0.01
    frame.loc[missing, list(COORDS)] = 0.0
    return frame


def _hour_weights() -> np.ndarray:
    weights = np.array([4, 3, 2, 1.5, 1, 1, 2, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 7, 7, 7, 6, 6, 5], dtype=float)
    return weights / weights.sum()


def ride_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """What a first submission feeds a model (the competition's starter notebook): the coordinates, how far apart
    the two ends are in latitude and longitude and in km, the passenger count, the pickup time's parts."""
    when = pd.to_datetime(frame["pickup_datetime"].str.removesuffix(" UTC"))
    out = frame[list(COORDS) + ["passenger_count"]].copy()
    plat, plon = frame["pickup_latitude"], frame["pickup_longitude"]
    dlat, dlon = frame["dropoff_latitude"], frame["dropoff_longitude"]
    out["dlat"], out["dlon"] = (dlat - plat).abs(), (dlon - plon).abs()
    out["distance_km"] = haversine_km(plat, plon, dlat, dlon)
    out["year"], out["month"], out["hour"] = when.dt.year, when.dt.month, when.dt.hour
    out["weekday"] = when.dt.day_of_week
    return out


def ride_features(frame: pd.DataFrame) -> pd.DataFrame:
    """What a careful Kaggler adds: the ride's grid distance and direction, each end's distance to the airports and the
    core, the time as a trend and as the meter's periods (night, weekday rush), the missing-coordinates flag."""
    out = ride_columns(frame)
    when = pd.to_datetime(frame["pickup_datetime"].str.removesuffix(" UTC"))
    plat, plon = frame["pickup_latitude"], frame["pickup_longitude"]
    dlat, dlon = frame["dropoff_latitude"], frame["dropoff_longitude"]
    out["grid_km"] = 111.0 * out["dlat"] + 84.0 * out["dlon"]
    out["bearing"] = np.arctan2(dlat - plat, dlon - plon)
    for name, (lat, lon) in {**AIRPORTS, "core": CORE}.items():
        out[f"pickup_to_{name}"] = haversine_km(plat, plon, lat, lon)
        out[f"dropoff_to_{name}"] = haversine_km(dlat, dlon, lat, lon)
        out[f"{name}_ride"] = np.minimum(out[f"pickup_to_{name}"], out[f"dropoff_to_{name}"])
    out["days"] = (when - pd.Timestamp("2009-01-01")).dt.days
    weekday_rush = (out["weekday"] < 5) & out["hour"].between(7, 9) | (out["weekday"] < 5) & out["hour"].between(16, 19)
    out["rush"], out["night"] = weekday_rush.astype(float), ((out["hour"] >= 20) | (out["hour"] < 6)).astype(float)
    out["no_coordinates"] = (frame[list(COORDS)] == 0).any(axis=1).astype(float)
    return out


def _table(public: Path, columns: Callable[[pd.DataFrame], pd.DataFrame]) -> Features:
    train, test = pd.read_csv(public / "train.csv"), pd.read_csv(public / "test.csv")
    return Features(
        columns(train).to_numpy(float),
        train["fare_amount"].to_numpy(),
        columns(test).to_numpy(float),
        test["key"].to_numpy(),
        ("fare_amount",),
    )


def features(public: Path) -> Features:
    return _table(public, ride_columns)


def engineered_features(public: Path) -> Features:
    return _table(public, ride_features)


SPEC = BuiltinSpec(
    config=CompetitionConfig(
        id="taxi-fare",
        name="Taxi fare prediction",
        category="tabular-regression",
        metric="rmse",
        lower_is_better=True,
        id_column="key",
        difficulty=2,
    ),
    seed=1801,
    generate=generate,
    write_public=tabular_public(["fare_amount"], "key", 11.35),
    answers=columns_answers(["key", "fare_amount"]),
    kind="regression",
    features=features,
    engineered_features=engineered_features,
    teams=1488,  # teams of the Kaggle competition
)
