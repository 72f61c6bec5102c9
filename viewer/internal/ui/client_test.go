package ui_test

import "teamlens/viewer/localclient"

func agenttestClient(socket string) *localclient.Client { return localclient.NewClient(socket) }
