package ui_test

import "teamlens/shared/localclient"

func agenttestClient(socket string) *localclient.Client { return localclient.NewClient(socket) }
