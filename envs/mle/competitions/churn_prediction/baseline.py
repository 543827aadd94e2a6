"""Baseline: logistic regression on all columns (plan, region and contract one-hot), missing values filled with
the train median."""

import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

CATEGORICAL = ["plan", "region", "contract"]

train = pd.read_csv("input/train.csv")
test = pd.read_csv("input/test.csv")
both = pd.get_dummies(pd.concat([train.drop(columns="churn"), test]), columns=CATEGORICAL, dtype=float)
both = both.drop(columns="customer_id")
both = both.fillna(both.iloc[: len(train)].median())
x_train, x_test = both.iloc[: len(train)], both.iloc[len(train) :]
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
print("validation auc:", cross_val_score(model, x_train, train["churn"], cv=3, scoring="roc_auc").mean())
model.fit(x_train, train["churn"])
pd.DataFrame({"customer_id": test["customer_id"], "churn": model.predict_proba(x_test)[:, 1]}).to_csv(
    "submission.csv", index=False
)
