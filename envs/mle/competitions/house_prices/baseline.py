"""Baseline: gradient boosting on the log price."""

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor

train = pd.read_csv("input/train.csv")
test = pd.read_csv("input/test.csv")
both = pd.get_dummies(pd.concat([train.drop(columns="sale_price"), test]), columns=["neighborhood"], dtype=float)
x = both.drop(columns="house_id")
model = HistGradientBoostingRegressor(max_iter=200, learning_rate=0.05, random_state=0)
model.fit(x.iloc[: len(train)], np.log1p(train["sale_price"]))
price = np.expm1(model.predict(x.iloc[len(train) :])).clip(0)
pd.DataFrame({"house_id": test["house_id"], "sale_price": price}).to_csv("submission.csv", index=False)
print("wrote", len(price), "predictions")
