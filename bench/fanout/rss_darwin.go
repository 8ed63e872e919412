package main

const rssUnit = 1 // bytes
