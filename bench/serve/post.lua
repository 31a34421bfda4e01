-- wrk script: POST the file named by WRK_BODY (JSON) to the URL's path with WRK_CONTENT_TYPE.
local file = assert(io.open(os.getenv("WRK_BODY"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = os.getenv("WRK_CONTENT_TYPE") or "application/json"
