-- POST /items with a small JSON body.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"bench item","category":"cat-7","price":12.5,"in_stock":true}'
