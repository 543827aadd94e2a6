"""Baseline: ridge regression with a cross-validated penalty."""

import numpy as np
import pandas as pd
from sklearn.linear_model import RidgeCV

train = pd.read_csv("input/train.csv")
test = pd.read_csv("input/test.csv")
features = [c for c in test.columns if c != "patient_id"]
model = RidgeCV(alphas=np.logspace(-3, 1, 20)).fit(train[features], train["progression"])
print("chosen alpha:", model.alpha_)
pd.DataFrame({"patient_id": test["patient_id"], "progression": model.predict(test[features])}).to_csv(
    "submission.csv", index=False
)
