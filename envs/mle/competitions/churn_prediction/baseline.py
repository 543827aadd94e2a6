"""Baseline: one-hot encoding, median imputation, gradient boosting."""

import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import cross_val_score

train = pd.read_csv("input/train.csv")
test = pd.read_csv("input/test.csv")
both = pd.get_dummies(
    pd.concat([train.drop(columns="churn"), test]), columns=["plan", "region", "contract"], dtype=float
)
x = both.drop(columns="customer_id")
x_train, x_test = x.iloc[: len(train)], x.iloc[len(train) :]
model = HistGradientBoostingClassifier(max_iter=100, learning_rate=0.05, max_depth=3, random_state=0)
print("validation auc:", cross_val_score(model, x_train, train["churn"], cv=3, scoring="roc_auc").mean())
model.fit(x_train, train["churn"])
pd.DataFrame({"customer_id": test["customer_id"], "churn": model.predict_proba(x_test)[:, 1]}).to_csv(
    "submission.csv", index=False
)
