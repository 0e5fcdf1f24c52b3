import pandas as pd
import matplotlib.pyplot as plt

sales = pd.read_csv("/mnt/data/sales.csv")
monthly = sales.pivot_table(index="month", columns="region", values="revenue", aggfunc="sum")
print(monthly)
print("total revenue:", sales["revenue"].sum())

monthly.plot(kind="bar", title="Revenue per month and region")
plt.ylabel("revenue")
plt.tight_layout()
plt.show()

monthly.to_csv("/mnt/data/monthly_revenue.csv")
print("wrote sandbox:/mnt/data/monthly_revenue.csv")
