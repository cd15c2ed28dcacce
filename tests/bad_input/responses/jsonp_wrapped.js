callback({"errcode":40029,"errmsg":"invalid code"});
